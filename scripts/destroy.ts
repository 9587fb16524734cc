/**
 * `npm run destroy [-- <stack>...] [--dry-run]`: destroys the current environment (BLUEPRINT
 * and ENVIRONMENT_SUFFIX, as for synth) one stack at a time in reverse dependency order —
 * observability, platform, registry, network — and stops at the first failure, so a stack is
 * never destroyed while a stack that reads its outputs still exists. The `state` stack holds
 * the Terraform state of every environment of the blueprint: it is never destroyed here, only
 * by hand (`cdktf destroy state`) once no environment is left.
 */
import { spawnSync } from "node:child_process";
import { ConfigError, loadConfig, PlatformConfig } from "../config";
import { STACK_IDS, StackId } from "../stacks/base";
import { STATE_STACK_ID } from "../stacks/state-stack";

/** Reverse deploy order: dependents first. */
export const DESTROY_ORDER: readonly StackId[] = [...STACK_IDS].reverse();

export class DestroyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DestroyError";
  }
}

export interface DestroyPlan {
  /** What is printed before anything runs. */
  readonly banner: string;
  /** Stacks to destroy, in order. */
  readonly stacks: readonly StackId[];
  /** One command per stack (program and arguments), in order. */
  readonly commands: readonly (readonly string[])[];
  readonly dryRun: boolean;
}

/**
 * The destroy plan for `config` and the command-line arguments: every stack, or the requested
 * ones, always in DESTROY_ORDER. Fails on `state` and on unknown stack ids or flags.
 */
export function destroyPlan(config: PlatformConfig, args: readonly string[]): DestroyPlan {
  const flags = args.filter((a) => a.startsWith("-"));
  const unknownFlags = flags.filter((f) => f !== "--dry-run");
  if (unknownFlags.length > 0)
    throw new DestroyError(`unknown option(s) ${unknownFlags.join(", ")} (allowed: --dry-run)`);
  const requested = args.filter((a) => !a.startsWith("-"));
  if (requested.includes(STATE_STACK_ID))
    throw new DestroyError(
      `refusing to destroy the "${STATE_STACK_ID}" stack: bucket ${config.state.bucket} holds the Terraform state of every environment of blueprint ${config.name}. Destroy it by hand (cdktf destroy ${STATE_STACK_ID}) once no environment is left.`,
    );
  const unknown = requested.filter((s) => !(DESTROY_ORDER as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new DestroyError(`unknown stack(s) ${unknown.join(", ")} (stacks: ${DESTROY_ORDER.join(", ")})`);
  const stacks = DESTROY_ORDER.filter((s) => requested.length === 0 || requested.includes(s));
  return {
    banner: `destroying blueprint ${config.name} (${config.source}), environment suffix "${config.environmentSuffix}", region ${config.region}: ${stacks.join(", ")} (state bucket ${config.state.bucket} is kept)`,
    stacks,
    commands: stacks.map((s) => ["npx", "cdktf", "destroy", s, "--auto-approve"]),
    dryRun: flags.includes("--dry-run"),
  };
}

export interface DestroyDeps {
  /** Runs one command; returns its exit status. */
  readonly run: (command: readonly string[]) => number;
  readonly log: (line: string) => void;
}

const defaultDeps: DestroyDeps = {
  run: ([program, ...rest]) => spawnSync(program, rest, { stdio: "inherit" }).status ?? 1,
  log: (line) => console.log(line),
};

/** Carries out a plan; returns the process exit status (the failing command's, or 0). */
export function executeDestroy(plan: DestroyPlan, deps: DestroyDeps = defaultDeps): number {
  deps.log(plan.banner);
  for (const command of plan.commands) {
    const text = command.join(" ");
    if (plan.dryRun) {
      deps.log(`would run: ${text}`);
      continue;
    }
    deps.log(`running: ${text}`);
    const status = deps.run(command);
    if (status !== 0) {
      deps.log(`failed (exit ${status}): ${text}; stopping, later stacks are left in place`);
      return status;
    }
  }
  return 0;
}

/** Entry point: config from the environment, plan from argv; returns the exit status. */
export function main(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  deps: DestroyDeps = defaultDeps,
): number {
  try {
    return executeDestroy(destroyPlan(loadConfig(env), args), deps);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DestroyError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) process.exit(main(process.argv.slice(2), process.env));
