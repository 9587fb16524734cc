import type { BlueprintInput } from "../schema";
import { fintech } from "./fintech";
import { fraud } from "./fraud";
import { orders } from "./orders";
import { trading } from "./trading";

/** Built-in blueprints, one per system the platform was built for (docs/blueprints/). */
export const BUILT_IN_BLUEPRINTS: Readonly<Record<string, BlueprintInput>> = {
  trading,
  orders,
  fraud,
  fintech,
};

export const DEFAULT_BLUEPRINT = "trading";
