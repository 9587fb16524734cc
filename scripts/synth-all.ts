/**
 * Synthesizes every built-in blueprint into its own output folder (cdktf.out/blueprints/<name>)
 * so `npm test` proves each one builds. Runs in one process: the cost is the synth, not startup.
 */
import { mkdirSync } from "node:fs";
import { App } from "cdktf";
import { loadConfig } from "../config";
import { BUILT_IN_BLUEPRINTS } from "../config/blueprints";
import { buildPlatformApp } from "../stacks/app";

const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : Object.keys(BUILT_IN_BLUEPRINTS);
for (const name of names) {
  const started = Date.now();
  const config = loadConfig({ ...process.env, BLUEPRINT: name });
  mkdirSync(`cdktf.out/blueprints/${name}`, { recursive: true });
  const app = new App({ outdir: `cdktf.out/blueprints/${name}`, skipValidation: false });
  buildPlatformApp(app, config);
  app.synth();
  console.log(`synthesized blueprint ${name} (${Date.now() - started} ms) -> cdktf.out/blueprints/${name}`);
}
