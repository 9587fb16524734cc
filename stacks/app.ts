import { App } from "cdktf";
import type { PlatformConfig } from "../config";
import { applyGuardrails, checkSynthesizedApp, guardrailOptionsFor } from "../modules/guardrails";
import { Naming } from "../modules/naming";
import { NetworkStack } from "./network-stack";
import { RegistryStack } from "./registry-stack";
import { PlatformServicesStack } from "./platform-stack";
import { ObservabilityStack } from "./observability-stack";
import { StateStack } from "./state-stack";
import { synthesizeAtomically } from "./synth-output";

export interface PlatformApp {
  readonly state: StateStack;
  readonly network: NetworkStack;
  readonly registry: RegistryStack;
  readonly platform: PlatformServicesStack;
  readonly observability: ObservabilityStack;
}

/**
 * Builds every stack of one environment. Dependencies: platform -> network (so
 * `cdktf deploy network platform` is accepted); observability -> platform; registry and
 * state stand alone (the platform derives ECR URLs from the naming module, not from registry).
 * Every stack is checked by the guardrails (modules/guardrails) when it is synthesized.
 */
export interface BuildOptions {
  /** Where guardrail warnings and active suppressions are reported. @default stdout */
  readonly guardrailLog?: (text: string) => void;
  /**
   * When the guardrails judge the stacks. "validation": as stack validations inside
   * `app.synth()`, so every way of synthesizing is checked. "output": not during `app.synth()`;
   * the caller must run `checkPlatformOutput` on the written files before it publishes them
   * (main.ts, through stacks/synth-output.ts), which spares one resolution of every stack.
   * @default "validation"
   */
  readonly guardrails?: "validation" | "output";
}

export function buildPlatformApp(app: App, config: PlatformConfig, options: BuildOptions = {}): PlatformApp {
  const naming = new Naming(config.name, config.environmentSuffix);
  const state = new StateStack(app, config);
  const network = new NetworkStack(app, { config, naming });
  const registry = new RegistryStack(app, { config, naming });
  const platform = new PlatformServicesStack(app, { config, naming, network });
  const observability = new ObservabilityStack(app, { config, naming, platform });
  // Policy checks run on every synth; an error-severity finding fails it.
  if ((options.guardrails ?? "validation") === "validation")
    applyGuardrails(app, guardrailOptionsFor(config, { sharedStacks: [state], log: options.guardrailLog }));
  return { state, network, registry, platform, observability };
}

/**
 * The guardrails of an app built with `guardrails: "output"`, over what `app.synth()` wrote to
 * `outdir`: throws a GuardrailError (a UserError) when a stack breaks an error rule.
 */
export function checkPlatformOutput(
  app: App,
  stacks: PlatformApp,
  config: PlatformConfig,
  outdir: string,
  options: Pick<BuildOptions, "guardrailLog"> = {},
): void {
  checkSynthesizedApp(
    app,
    outdir,
    guardrailOptionsFor(config, { sharedStacks: [stacks.state], log: options.guardrailLog }),
  );
}

/**
 * Synthesizes every stack of `config` as `cdktf synth` runs main.ts: into a staging directory,
 * the guardrails judging the written files (one resolution of every stack fewer than as stack
 * validations; docs/decisions.md), published to `outdir` (default: cdktf's) only when all passed.
 */
export function synthesizePlatform(config: PlatformConfig, outdir?: string): void {
  synthesizeAtomically((app) => {
    const stacks = buildPlatformApp(app, config, { guardrails: "output" });
    return (staged) => checkPlatformOutput(app, stacks, config, staged);
  }, outdir);
}
