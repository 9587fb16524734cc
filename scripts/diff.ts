/**
 * `npm run diff [-- <stack>...]`: what `cdktf deploy` would change in the environment
 * (BLUEPRINT, ENVIRONMENT_SUFFIX), for every stack of the environment or the ones named.
 * Synthesizes once, then runs `cdktf diff <stack> --skip-synth` per stack (the CLI diffs one
 * stack at a time: without a name it stops at "Found more than one stack"). A failing stack
 * does not hide the others, except a failure for lack of credentials: it stops there and ends
 * with what the environment expected (bucket, region, account) and how to log in. A stack whose
 * dependency was never deployed is named with that dependency.
 */
import { STATE_STACK_ID } from "../stacks/state-stack";
import { cdkCli } from "./cli-runtime";
import { failureReason, RunningCommand, spawnCommand } from "./destroy";
import {
  COMMON_USAGE,
  CREDENTIAL_FAILURE,
  ENVIRONMENT_STACKS,
  loadEnvironment,
  loginHelp,
  OperatorEnvironment,
  parseArgs,
  UsageError,
} from "./operator/environment";

export const DIFF_USAGE = `usage: npm run diff -- [<stack>...] ${COMMON_USAGE}
  stacks: ${[...ENVIRONMENT_STACKS, STATE_STACK_ID].join(", ")} (default: ${ENVIRONMENT_STACKS.join(", ")})`;

export interface DiffDeps {
  readonly start: (argv: readonly string[], env: Record<string, string | undefined>) => RunningCommand;
  readonly log: (line: string) => void;
}

/** The stacks to diff: the named ones (validated), else every stack of the environment. */
export function diffStacks(named: readonly string[]): string[] {
  const allowed: readonly string[] = [...ENVIRONMENT_STACKS, STATE_STACK_ID];
  for (const s of named) {
    if (!allowed.includes(s)) throw new UsageError(`stack "${s}" is not a stack (${allowed.join(", ")})`);
  }
  return named.length > 0 ? [...new Set(named)] : [...ENVIRONMENT_STACKS];
}

/**
 * The stack whose state a failed diff was missing: cdktf reads another stack's outputs through
 * `data.terraform_remote_state.cross-stack-reference-input-<stack>`, and Terraform fails it with
 * "Unable to find remote state" while that stack was never deployed.
 */
export function missingRemoteState(output: string): string | undefined {
  if (!/Unable to find remote state|No stored state was found/.test(output)) return undefined;
  return /terraform_remote_state\.cross-stack-reference-input-([A-Za-z0-9_-]+)/.exec(output)?.[1];
}

/** Runs the diffs; returns the exit code (0 when every stack was diffed). */
export async function runDiff(
  target: OperatorEnvironment,
  stacks: readonly string[],
  deps: DiffDeps,
  env: Record<string, string | undefined> = process.env,
): Promise<number> {
  const cli = cdkCli(env);
  const childEnv = {
    ...env,
    BLUEPRINT: target.config.source.replace(/^built-in:/, ""),
    ENVIRONMENT_SUFFIX: target.config.environmentSuffix,
    CHECKPOINT_DISABLE: env.CHECKPOINT_DISABLE ?? "1",
  };
  deps.log(
    `diff: blueprint ${target.config.name}, environment ${target.config.environmentSuffix}: ${stacks.join(", ")}`,
  );
  const synth = await deps.start([...cli, "synth"], childEnv).done;
  if (synth.code !== 0) {
    deps.log(`diff: synthesis failed (${failureReason(synth, "synth")}); nothing was diffed`);
    return 1;
  }
  const failed: string[] = [];
  const hints: string[] = [];
  let credentials = false;
  for (const [i, stack] of stacks.entries()) {
    const result = await deps.start([...cli, "diff", stack, "--skip-synth"], childEnv).done;
    if (result.code === 0 && result.signal === null) continue;
    failed.push(`${stack} (${failureReason(result, stack)})`);
    const missing = missingRemoteState(result.tail);
    if (missing)
      hints.push(
        `${missing} has no state yet: deploy it first (npm run deploy, or npx cdktf deploy ${missing})`,
      );
    if (CREDENTIAL_FAILURE.test(result.tail)) {
      // The next stacks would fail the same way, each after the backend's retries.
      credentials = true;
      if (i + 1 < stacks.length)
        hints.push(`not diffed: ${stacks.slice(i + 1).join(", ")} (same credentials)`);
      break;
    }
  }
  if (failed.length === 0) {
    deps.log(`diff: ${stacks.length} stack(s) diffed`);
    return 0;
  }
  deps.log(`diff: failed for ${failed.join("; ")}`);
  for (const h of hints) deps.log(`diff: ${h}`);
  if (credentials) deps.log(loginHelp(target.config));
  return 1;
}

export async function main(argv: readonly string[], deps: DiffDeps): Promise<number> {
  let stacks: string[];
  let target: OperatorEnvironment;
  try {
    const args = parseArgs(argv, { switches: ["--help"] });
    if (args.switches.has("--help")) {
      deps.log(DIFF_USAGE);
      return 0;
    }
    stacks = diffStacks(args.positional);
    target = loadEnvironment(args.common);
  } catch (error) {
    deps.log(`${(error as Error).message}\n${DIFF_USAGE}`);
    return 2;
  }
  return runDiff(target, stacks, deps);
}

if (require.main === module) {
  main(process.argv.slice(2), {
    start: (argv, env) => {
      // The CLI's own output streams through; its environment names the selected environment.
      Object.assign(process.env, env);
      return spawnCommand(argv);
    },
    log: (line) => console.error(line),
  }).then((code) => {
    process.exitCode = code;
  });
}
