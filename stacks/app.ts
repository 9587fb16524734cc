import { App } from "cdktf";
import type { PlatformConfig } from "../config";
import { applyGuardrails, guardrailOptionsFor } from "../modules/guardrails";
import { Naming } from "../modules/naming";
import { NetworkStack } from "./network-stack";
import { RegistryStack } from "./registry-stack";
import { PlatformServicesStack } from "./platform-stack";
import { ObservabilityStack } from "./observability-stack";
import { StateStack } from "./state-stack";

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
}

export function buildPlatformApp(app: App, config: PlatformConfig, options: BuildOptions = {}): PlatformApp {
  const naming = new Naming(config.name, config.environmentSuffix);
  const state = new StateStack(app, config);
  const network = new NetworkStack(app, { config, naming });
  const registry = new RegistryStack(app, { config, naming });
  const platform = new PlatformServicesStack(app, { config, naming, network });
  const observability = new ObservabilityStack(app, { config, naming, platform });
  // Policy checks run as stack validations on every synth; an error-severity finding fails it.
  applyGuardrails(app, guardrailOptionsFor(config, { sharedStacks: [state], log: options.guardrailLog }));
  return { state, network, registry, platform, observability };
}
