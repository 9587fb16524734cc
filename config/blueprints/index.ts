import type { BlueprintInput } from "../schema";
import { fintech } from "./fintech";
import { fraud } from "./fraud";
import { orders } from "./orders";
import { trading } from "./trading";

/** Built-in blueprints, one per seed system (see ../shared/seeds/README.md). */
export const BUILT_IN_BLUEPRINTS: Readonly<Record<string, BlueprintInput>> = {
  trading,
  orders,
  fraud,
  fintech,
};

export const DEFAULT_BLUEPRINT = "trading";
