/**
 * Test helpers shared by every test file: build configs without touching process.env, and
 * synthesize each app once per config (module-level cache) so many tests can read one result.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Testing } from "cdktf";
import type { BlueprintInput, PlatformConfig } from "../../config";
import { loadConfig, parseBlueprint } from "../../config";
import { BUILT_IN_BLUEPRINTS } from "../../config/blueprints";
import { buildPlatformApp, checkPlatformOutput, PlatformApp } from "../../stacks/app";
import { evaluateStack, formatReport, guardrailOptionsFor } from "../../modules/guardrails";

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A PlatformConfig from a built-in blueprint name and optional environment overrides. */
export function configFor(blueprint = "trading", env: Record<string, string> = {}): PlatformConfig {
  return loadConfig({ BLUEPRINT: blueprint, ENVIRONMENT_SUFFIX: "test", ...env });
}

/** A PlatformConfig from a blueprint object (validated by the real schema). */
export function configFrom(input: BlueprintInput, environmentSuffix = "test"): PlatformConfig {
  const bp = parseBlueprint(structuredClone(input), `blueprints.${input.name}`);
  bp.tags.Environment ??= environmentSuffix;
  return {
    ...bp,
    environmentSuffix,
    state: {
      bucket: `tfstate-${bp.name}-platform`,
      region: bp.region,
      noncurrentVersionDays: 90,
      bucketSource: "blueprint-default",
    },
    source: "test",
    environment: { name: environmentSuffix, declared: false, environments: [] },
  };
}

/** A modified copy of a built-in blueprint. */
export function blueprintWith(name: string, edit: (bp: BlueprintInput) => void): BlueprintInput {
  const bp = structuredClone(BUILT_IN_BLUEPRINTS[name]);
  edit(bp);
  return bp;
}

export interface SynthesizedApp {
  readonly app: PlatformApp;
  /** Parsed cdk.tf.json of each stack, by stack id. */
  readonly stacks: Record<string, Json>;
}

const cache = new Map<PlatformConfig, SynthesizedApp>();

/**
 * Synthesizes all stacks of a config once, exactly as `cdktf synth` runs main.ts (`app.synth()`:
 * stack validations, cross-stack references turned into outputs and `terraform_remote_state`;
 * then the guardrails over the written files), and parses each stack's cdk.tf.json. Later calls
 * with the same config reuse the result.
 */
export function synthApp(config: PlatformConfig): SynthesizedApp {
  const hit = cache.get(config);
  if (hit) return hit;
  const root = Testing.app() as App;
  const app = buildPlatformApp(root, config, { guardrails: "output" });
  root.synth();
  checkPlatformOutput(root, app, config, root.outdir, { guardrailLog: () => undefined });
  const stacks: Record<string, Json> = {};
  for (const id of Object.keys(app)) {
    stacks[id] = JSON.parse(readFileSync(join(root.outdir, "stacks", id, "cdk.tf.json"), "utf8"));
  }
  const result = { app, stacks };
  cache.set(config, result);
  return result;
}

const stackCache = new Map<PlatformConfig, Map<keyof PlatformApp, Json>>();

/**
 * One stack's cdk.tf.json, as `synthApp(config).stacks[id]` holds it, without writing or
 * checking the other stacks: every stack is prepared as `app.synth()` prepares it (cross-stack
 * outputs and remote state), then only `id` is synthesized, with its validations
 * (`Testing.fullSynth`), and the guardrails judge it (an error finding throws). A test asserts
 * this JSON equals synthApp's for every built-in blueprint.
 */
export function synthStack(config: PlatformConfig, id: keyof PlatformApp): Json {
  const hit = stackCache.get(config)?.get(id) ?? cache.get(config)?.stacks[id];
  if (hit) return hit;
  const root = Testing.app() as App;
  const app = buildPlatformApp(root, config, { guardrails: "output" });
  for (const stack of Object.values(app)) stack.prepareStack();
  const outdir = Testing.fullSynth(app[id]);
  const json: Json = JSON.parse(readFileSync(join(outdir, "stacks", id, "cdk.tf.json"), "utf8"));
  const options = guardrailOptionsFor(config, { sharedStacks: [app.state], log: () => undefined });
  const report = evaluateStack(app[id], options, json);
  if (report.errors.length > 0) throw new Error(formatReport(report));
  if (!stackCache.has(config)) stackCache.set(config, new Map());
  stackCache.get(config)!.set(id, json);
  return json;
}

/** All resources of a type in a synthesized stack, by logical id. */
export function resources(stack: Json, type: string): Record<string, Json> {
  return stack.resource?.[type] ?? {};
}

/** The single resource of a type (fails the test if there is not exactly one). */
export function onlyResource(stack: Json, type: string): Json {
  const all = Object.values(resources(stack, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0];
}

export function dataSources(stack: Json, type: string): Record<string, Json> {
  return stack.data?.[type] ?? {};
}
