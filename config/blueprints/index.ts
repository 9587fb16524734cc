import type { BlueprintInput } from "../schema";
import { trading } from "./trading";

/** Built-in blueprints, one per seed system (see ../shared/seeds/README.md). */
export const BUILT_IN_BLUEPRINTS: Readonly<Record<string, BlueprintInput>> = {
  trading,
};

export const DEFAULT_BLUEPRINT = "trading";
