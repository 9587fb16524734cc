/**
 * Synthesizes every built-in blueprint into its own output folder (cdktf.out/blueprints/<name>)
 * so `npm test` proves each one builds, the way main.ts does (guardrails over the staged files,
 * published only when they pass). Runs in one process: the cost is the synth, not startup.
 */
import { loadConfig } from "../config";
import { BUILT_IN_BLUEPRINTS } from "../config/blueprints";
import { synthesizePlatform } from "../stacks/app";

// Token creation stack traces off on both runtimes, as in the synth entry (scripts/creation-stacks.cjs).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { switchOffCreationStacks } = require("./creation-stacks.cjs") as {
  switchOffCreationStacks: () => boolean;
};
switchOffCreationStacks();

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(BUILT_IN_BLUEPRINTS);
for (const name of names) {
  const started = Date.now();
  const config = loadConfig({ ...process.env, BLUEPRINT: name });
  synthesizePlatform(config, `cdktf.out/blueprints/${name}`);
  console.log(`synthesized blueprint ${name} (${Date.now() - started} ms) -> cdktf.out/blueprints/${name}`);
}
