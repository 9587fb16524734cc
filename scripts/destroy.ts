/**
 * `npm run destroy [-- <stack>...] [--yes] [--dry-run] [--help]`: tears down one environment
 * (BLUEPRINT and ENVIRONMENT_SUFFIX, as for synth) with one `cdktf destroy` per stack, dependants
 * first: observability, platform, registry, network. It never touches the `state` stack.
 *
 * Why one command per stack: a failure names its stack, and the Service Connect clean-up can
 * retry just `platform`. The cdktf CLI refuses to destroy a stack while a stack that depends on
 * it is not in the same command, so a command carries `--ignore-missing-stack-dependencies`
 * exactly when every stack depending on its stack is destroyed by an earlier command of the
 * same run; this script refuses any selection of stacks for which that does not hold.
 *
 * Terraform waits at most LOCK_TIMEOUT for a held state lock (`-lock-timeout`, passed through
 * Terraform's TF_CLI_ARGS_destroy because the cdktf CLI has no such flag).
 *
 * Service Connect leaves a Cloud Map service per discovery name behind when ECS deletes a
 * service, so Terraform cannot delete the namespace ("ResourceInUse: Namespace has associated
 * services"). Only on that error, and only after Cloud Map confirms that the namespace id it
 * names is this environment's namespace, its services are deleted and platform is retried once.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Writable } from "node:stream";
import {
  DeleteServiceCommand,
  DeregisterInstanceCommand,
  GetNamespaceCommand,
  ListInstancesCommand,
  ListServicesCommand,
  ServiceDiscoveryClient,
} from "@aws-sdk/client-servicediscovery";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ConfigError, loadConfig, PlatformConfig } from "../config";
import { Naming } from "../modules/naming";
import { namespaceName } from "../modules/service-discovery";
import { dependantsOf, STACK_DEPENDENCIES, STACK_IDS, StackId } from "../stacks/base";
import { STATE_STACK_ID } from "../stacks/state-stack";
import { cdkCli, CliRuntimeError } from "./cli-runtime";

/** Reverse deploy order: every stack comes after the stacks that depend on it. */
export const DESTROY_ORDER: readonly StackId[] = [...STACK_IDS].reverse();

/**
 * How long Terraform waits for a state lock another run holds before it gives up. Long enough
 * for a concurrent plan, refresh or a short apply to finish; short enough that a stale lock
 * (a killed run; only `terraform force-unlock` frees it) fails the destroy in minutes rather
 * than hanging: four stacks wait at most 20 minutes, well inside the ephemeral workflow's
 * 45-minute destroy step.
 */
export const LOCK_TIMEOUT = "5m";

export const EXIT = {
  /** Every requested stack was destroyed (or printed, with --dry-run; or --help). */
  ok: 0,
  /** A stack failed to destroy; later stacks were not attempted. */
  failed: 1,
  /** Usage or configuration error, or the confirmation did not match: nothing was run. */
  usage: 2,
  /** Interrupted by SIGINT (Ctrl-C) / SIGTERM: 128 + the signal number. */
  SIGINT: 130,
  SIGTERM: 143,
} as const;

const FLAGS = ["--yes", "--dry-run", "--help", "--environment"] as const;

export const HELP = `Usage: npm run destroy -- [<stack>...] [--yes] [--dry-run] [--environment <blueprint>/<suffix>] [--help]
       (or: npx tsx scripts/destroy.ts [<stack>...] [options])

Destroys one environment of a blueprint: ${DESTROY_ORDER.join(", ")}, in that order
(every stack after the stacks that depend on it), with one cdktf destroy per stack.
The "${STATE_STACK_ID}" stack (the S3 bucket holding the Terraform state of every environment) is
never destroyed here.

Stacks (default: all of them): ${DESTROY_ORDER.join(", ")}. A stack can only be destroyed
together with the stacks that depend on it (${DESTROY_ORDER.filter((s) => STACK_DEPENDENCIES[s].length > 0)
  .map((s) => `${s} depends on ${STACK_DEPENDENCIES[s].join(", ")}`)
  .join("; ")}).
Re-running after a failure is safe: a stack already destroyed has nothing left to destroy.

Options:
  --yes       do not ask; destroy right away (CI). Without it, you are asked to type the
              environment as <blueprint>/<suffix> (e.g. trading/dev); anything else aborts.
              Without a terminal on stdin and without --yes, the script refuses to run.
  --environment <blueprint>/<suffix>
              required for an environment the blueprint declares under environments: (a
              long-lived one such as production): the person names it, and is still asked to
              type it (--yes does not skip the question for it).
  --dry-run   print the commands, one per line prefixed "would run: ", on stdout; run and ask
              nothing (other information goes to stderr). Each line runs as-is in a shell.
  --help      this text.

A persistent environment (lifecycle: persistent) is refused whatever the options: its database
and load balancer have deletion protection and its stateful resources prevent_destroy. To retire
it: set its lifecycle to retiring in the blueprint (environments.<name>.lifecycle), deploy
(in-place updates only: protection off, final snapshot and backups kept), then run
npm run destroy -- --environment <blueprint>/<suffix> and type the name when asked.
Before destroying a declared environment, its deployed state (s3://<state bucket>/<key>) is read:
if deletion protection is still on there, or a retiring database would still skip its final
snapshot, the change was not deployed yet and nothing is destroyed.
A retiring environment keeps its registry stack (repositories with their images) unless
"registry" is named: empty the repositories, then npm run destroy -- registry --environment ...

Environment:
  ENVIRONMENT_SUFFIX  required, no default: the environment to destroy (e.g. dev, pr1234)
  BLUEPRINT           built-in blueprint name or blueprint file (default trading)
  TF_STATE_BUCKET, TF_STATE_REGION   where the environment's state is (as for deploy)
  CDK_RUNTIME         cdktf (default) or cdktn: the CLI that runs the commands
  AWS credentials     as for any Terraform run (profile, SSO, OIDC role, ...)

Each command runs Terraform with -lock-timeout=${LOCK_TIMEOUT} (through TF_CLI_ARGS_destroy): a state lock
held by another run is waited for at most ${LOCK_TIMEOUT}, then the stack fails.
On "ResourceInUse: Namespace has associated services" (Service Connect leftovers), the Cloud
Map services of this environment's namespace are deleted and platform is retried once.

Ctrl-C (SIGINT) or SIGTERM is passed to the running command (Terraform stops gracefully and
releases its lock); no further stack is started. Every run ends with a per-stack report:
destroyed, failed, interrupted or not attempted.

Exit codes:
  ${EXIT.ok}    every requested stack destroyed (or --dry-run / --help)
  ${EXIT.failed}    a stack failed to destroy (later stacks not attempted)
  ${EXIT.usage}    usage or configuration error, or the confirmation did not match (nothing run)
  ${EXIT.SIGINT}  interrupted by SIGINT (Ctrl-C)
  ${EXIT.SIGTERM}  interrupted by SIGTERM
`;

/** A mistake in the arguments or the environment: reported before anything runs (exit 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface DestroyOptions {
  /** Requested stacks; empty means all. */
  readonly stacks: readonly string[];
  readonly yes: boolean;
  readonly dryRun: boolean;
  readonly help: boolean;
  /** `--environment <blueprint>/<suffix>`: the environment named on the command line. */
  readonly environment?: string;
}

export function parseArgs(input: readonly string[]): DestroyOptions {
  // `--environment X` and `--environment=X`: the value is not a stack.
  let environment: string | undefined;
  const args: string[] = [];
  for (let i = 0; i < input.length; i++) {
    const arg = input[i];
    if (arg === "--environment" || arg.startsWith("--environment=")) {
      const value = arg === "--environment" ? input[++i] : arg.slice("--environment=".length);
      if (!value || value.startsWith("-"))
        throw new UsageError(
          "--environment needs a value: the environment as <blueprint>/<suffix>, e.g. trading/production",
        );
      environment = value;
      args.push("--environment");
    } else args.push(arg);
  }
  const flags = args.filter((a) => a.startsWith("-"));
  const unknown = flags.filter((f) => !(FLAGS as readonly string[]).includes(f) && f !== "-h");
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown option(s) ${unknown.join(", ")} (allowed: ${FLAGS.join(", ")}); see npm run destroy -- --help`,
    );
  }
  return {
    stacks: args.filter((a) => !a.startsWith("-")),
    yes: flags.includes("--yes"),
    dryRun: flags.includes("--dry-run"),
    help: flags.includes("--help") || flags.includes("-h"),
    environment,
  };
}

/**
 * The guard of long-lived environments, checked before anything runs:
 * - a persistent one is refused with the steps that release its protection (Terraform would
 *   stop at prevent_destroy and RDS/ELB at deletion protection: nothing useful could run);
 * - one the blueprint declares must be named with --environment and confirmed by typing it,
 *   which needs a terminal (--yes alone is not enough).
 */
export function guardLongLived(
  config: PlatformConfig,
  plan: DestroyPlan,
  options: DestroyOptions,
  interactive: boolean,
): void {
  const name = config.environmentSuffix;
  if (config.lifecycle === "persistent") {
    const where = config.environment.declared ? `environments.${name}.lifecycle` : "lifecycle";
    throw new UsageError(
      [
        `refusing to destroy ${plan.environment}: it is persistent (lifecycle: persistent). Its database and load balancer have deletion protection and its database, load balancer, repositories, keys and secrets prevent_destroy, so Terraform and AWS would refuse the destroy. To retire it:`,
        `  1. set ${where}: retiring in ${config.source} (review it like any change; not ephemeral, which would skip the final snapshot);`,
        `  2. ENVIRONMENT_SUFFIX=${name} npm run deploy  (in-place updates only: protection off, the final snapshot and automated backups kept);`,
        `  3. ENVIRONMENT_SUFFIX=${name} npm run destroy -- --environment ${plan.environment}  (checks step 2 was deployed, then asks you to type the name)`,
      ].join("\n"),
    );
  }
  if (!config.environment.declared) return;
  if (options.environment !== plan.environment)
    throw new UsageError(
      `${plan.environment} is a long-lived environment (declared under environments: in ${config.source}); name it to destroy it: npm run destroy -- --environment ${plan.environment}${options.environment ? ` (got --environment ${options.environment})` : ""}`,
    );
  if (!options.dryRun && !interactive)
    throw new UsageError(
      `${plan.environment} is a long-lived environment: destroying it needs a person to type its name, and stdin is not a terminal (--yes does not apply to it)`,
    );
}

/** A destructive command gets no default environment: ENVIRONMENT_SUFFIX must be set. */
export function requireEnvironmentSuffix(env: Readonly<Record<string, string | undefined>>): void {
  if (!env.ENVIRONMENT_SUFFIX) {
    throw new UsageError(
      "ENVIRONMENT_SUFFIX is not set: npm run destroy destroys the environment it names and has no default. Set it for the command, e.g. ENVIRONMENT_SUFFIX=dev npm run destroy",
    );
  }
}

/** One resource instance of a Terraform state file (format version 4), as far as read here. */
interface StateResource {
  readonly mode?: string;
  readonly type?: string;
  readonly name?: string;
  readonly instances?: readonly { readonly attributes?: Record<string, unknown> }[];
}

/**
 * What in a stack's deployed state (`terraform state pull`'s JSON) still blocks or endangers a
 * destroy of `config`: deletion protection still on (the profile change was merged but not
 * deployed: Terraform would destroy everything in front of the database and load balancer, then
 * stop), and for a profile that keeps data, a database that would still skip its final snapshot
 * or delete its automated backups. Empty when the destroy may run.
 */
export function unreleasedProtection(config: PlatformConfig, stack: StackId, state: unknown): string[] {
  const resources = (state as { resources?: readonly StateResource[] } | undefined)?.resources ?? [];
  const keepsData = config.lifecycle !== "ephemeral";
  const found: string[] = [];
  for (const r of resources) {
    if (r.mode !== "managed") continue;
    for (const instance of r.instances ?? []) {
      const a = instance.attributes ?? {};
      const at = `${stack}: ${r.type}.${r.name}`;
      if (r.type === "aws_lb" && a.enable_deletion_protection === true)
        found.push(`${at}: enable_deletion_protection is still true`);
      if (r.type !== "aws_rds_cluster" && r.type !== "aws_db_instance") continue;
      if (a.deletion_protection === true) found.push(`${at}: deletion_protection is still true`);
      if (keepsData && a.skip_final_snapshot === true)
        found.push(`${at}: skip_final_snapshot is still true (no final snapshot would be taken)`);
      if (keepsData && a.delete_automated_backups !== false)
        found.push(`${at}: delete_automated_backups is not false (the automated backups would be deleted)`);
    }
  }
  return found;
}

/**
 * Refuses to destroy a declared environment whose deployed state still has what the blueprint
 * has released: the destroy would run against config (no prevent_destroy) and state (protection
 * on) and leave a half-destroyed environment. `readState` resolves undefined for a stack with no
 * state (never deployed, or already destroyed).
 */
export async function guardDeployedState(
  config: PlatformConfig,
  plan: DestroyPlan,
  readState: (stack: StackId) => Promise<unknown>,
): Promise<void> {
  if (!config.environment.declared) return;
  const found: string[] = [];
  for (const step of plan.steps)
    found.push(...unreleasedProtection(config, step.stack, await readState(step.stack)));
  if (found.length === 0) return;
  throw new UsageError(
    [
      `refusing to destroy ${plan.environment}: its deployed state still protects it, so the lifecycle change in ${config.source} has not been deployed:`,
      ...found.map((f) => `  - ${f}`),
      `Deploy it first (ENVIRONMENT_SUFFIX=${config.environmentSuffix} npm run deploy; the plan shows only in-place updates), then run the destroy again. Nothing was destroyed.`,
    ].join("\n"),
  );
}

export interface StackStep {
  readonly stack: StackId;
  /** Program and arguments, exec'd as they are (no shell). */
  readonly argv: readonly string[];
}

export interface DestroyPlan {
  /** `<blueprint>/<suffix>`: what the person types to confirm. */
  readonly environment: string;
  /** What is printed (to stderr) before anything runs. */
  readonly banner: string;
  /** One step per stack, in DESTROY_ORDER. */
  readonly steps: readonly StackStep[];
  /** This environment's Cloud Map namespace: the only one the Service Connect clean-up touches. */
  readonly namespaceName: string;
}

/**
 * The plan for `config` and the requested stacks (all when none): every stack in DESTROY_ORDER,
 * one command each. Refuses `state`, unknown stacks, and a selection that leaves out a stack
 * depending on a selected one (the CLI would refuse it, or the dependant would be orphaned).
 */
export function destroyPlan(
  config: PlatformConfig,
  requested: readonly string[],
  cli: readonly string[],
): DestroyPlan {
  if (requested.includes(STATE_STACK_ID))
    throw new UsageError(
      `refusing to destroy the "${STATE_STACK_ID}" stack: bucket ${config.state.bucket} holds the Terraform state of every environment of blueprint ${config.name}. It is kept on purpose (prevent_destroy); see "The state bucket" in the README to retire it by hand once no environment is left.`,
    );
  const unknown = requested.filter((s) => !(DESTROY_ORDER as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new UsageError(`unknown stack(s) ${unknown.join(", ")} (stacks: ${DESTROY_ORDER.join(", ")})`);
  const stacks = DESTROY_ORDER.filter((s) => requested.length === 0 || requested.includes(s));
  const missing = stacks
    .map((s) => ({ stack: s, left: dependantsOf(s).filter((d) => !stacks.includes(d)) }))
    .filter((m) => m.left.length > 0);
  if (missing.length > 0) {
    const withDependants = DESTROY_ORDER.filter(
      (s) => stacks.includes(s) || missing.some((m) => m.left.includes(s)),
    );
    throw new UsageError(
      `${missing.map((m) => `${m.stack} cannot be destroyed without the stacks that depend on it: ${m.left.join(", ")} not requested`).join("; ")}. Destroy them in the same run: npm run destroy -- ${withDependants.join(" ")}`,
    );
  }
  // Each command names the environment it destroys, so a line copied from --dry-run (or run by
  // another shell) can never fall back to another blueprint, suffix or state bucket.
  const pinned = [
    `BLUEPRINT=${config.source.startsWith("built-in:") ? config.name : config.source}`,
    `ENVIRONMENT_SUFFIX=${config.environmentSuffix}`,
    ...(config.environment.template ? [`ENVIRONMENT_TEMPLATE=${config.environment.template}`] : []),
    `TF_STATE_BUCKET=${config.state.bucket}`,
    `TF_STATE_REGION=${config.state.region}`,
  ];
  const steps = stacks.map((stack, i): StackStep => {
    const dependants = STACK_IDS.filter((s) => STACK_DEPENDENCIES[s].includes(stack));
    const destroyedEarlier = stacks.slice(0, i);
    // The CLI checks that a stack's dependants are in the same command; here they were
    // destroyed by an earlier command of this run, which the check cannot see.
    if (!dependants.every((d) => destroyedEarlier.includes(d)))
      throw new Error(`internal: ${stack} is ordered before a stack that depends on it`);
    return {
      stack,
      argv: [
        "env",
        ...pinned,
        `TF_CLI_ARGS_destroy=-lock-timeout=${LOCK_TIMEOUT}`,
        ...cli,
        "destroy",
        stack,
        "--auto-approve",
        ...(dependants.length > 0 ? ["--ignore-missing-stack-dependencies"] : []),
      ],
    };
  });
  const environment = `${config.name}/${config.environmentSuffix}`;
  return {
    environment,
    banner: `destroying ${environment} (blueprint ${config.source}, region ${config.region}): ${stacks.join(", ")}; the state bucket ${config.state.bucket} is kept`,
    steps,
    namespaceName: namespaceName(
      new Naming(config.name, config.environmentSuffix),
      config.serviceDiscovery.namespace,
    ),
  };
}

/**
 * One command as one line. Every argument is a plain word (no quoting needed), so the line runs
 * as-is in a shell and when split on spaces and exec'd; anything else is a programming error.
 */
export function formatCommand(argv: readonly string[]): string {
  for (const arg of argv) {
    if (!/^[\w@%+=:,./-]+$/.test(arg))
      throw new Error(`internal: argument ${JSON.stringify(arg)} needs quoting`);
  }
  return argv.join(" ");
}

// ---------------------------------------------------------------------------------------------
// Service Connect leftovers

// Terminal colour and cursor codes cdktf and Terraform write (ESC [ ... final byte).
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

/**
 * A command's output lines without colour codes, without the stack-name column cdktf puts in
 * front of a stack's output, and without Terraform's diagnostic box.
 */
export function outputLines(output: string, stack: string): string[] {
  const column = new RegExp(`^\\s*${stack} {2,}`);
  return output
    .replace(ANSI, "")
    .split(/\r?\n/)
    .map((line) => line.replace(column, "").replace(/[│╷╵]/g, " ").trim());
}

/** The output as one line of text: Terraform wraps long messages at the terminal width. */
export function flattenOutput(output: string, stack: string): string {
  return outputLines(output, stack).join(" ").replace(/\s+/g, " ");
}

/** Cloud Map's refusal to delete a namespace that still has services (DeleteNamespace). */
const NAMESPACE_IN_USE = /ResourceInUse\W{1,5}Namespace has associated services/i;

/**
 * Whether a platform destroy failed because its Cloud Map namespace still has services, and
 * the namespace ids its error messages name. Undefined when the output has no such error.
 */
export function namespaceInUse(output: string, stack = "platform"): { namespaceIds: string[] } | undefined {
  const errors = flattenOutput(output, stack)
    .split(/(?=\bError: )/)
    .filter((e) => NAMESPACE_IN_USE.test(e));
  if (errors.length === 0) return undefined;
  const ids = errors.flatMap((e) => [...e.matchAll(/\b(ns-[a-z0-9]{4,})\b/gi)].map((m) => m[1]));
  return { namespaceIds: [...new Set(ids)] };
}

/** The Cloud Map calls the clean-up needs (a ServiceDiscoveryClient, or a mock in tests). */
export interface CloudMap {
  send: ServiceDiscoveryClient["send"];
}

/**
 * Deletes every service left in namespace `namespaceId` (deregistering instances first) and
 * returns how many were deleted, after confirming with GetNamespace that the namespace is
 * named `expectedName` (this environment's). Throws, deleting nothing, when it is not.
 * Deregistration is asynchronous: a delete is retried while Cloud Map still reports instances.
 */
export async function clearNamespace(
  cloudMap: CloudMap,
  namespaceId: string,
  expectedName: string,
  log: (line: string) => void,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<number> {
  const { Namespace: namespace } = await cloudMap.send(new GetNamespaceCommand({ Id: namespaceId }));
  if (namespace?.Name?.toLowerCase() !== expectedName.toLowerCase()) {
    throw new Error(
      `namespace ${namespaceId} is ${namespace?.Name ? `named ${namespace.Name}` : "unnamed"}, not this environment's ${expectedName}: not touching it`,
    );
  }
  let deleted = 0;
  let nextToken: string | undefined;
  do {
    const page = await cloudMap.send(
      new ListServicesCommand({
        Filters: [{ Name: "NAMESPACE_ID", Values: [namespaceId], Condition: "EQ" }],
        NextToken: nextToken,
      }),
    );
    for (const service of page.Services ?? []) {
      let instancesToken: string | undefined;
      do {
        const instances = await cloudMap.send(
          new ListInstancesCommand({ ServiceId: service.Id, NextToken: instancesToken }),
        );
        for (const instance of instances.Instances ?? []) {
          await cloudMap.send(
            new DeregisterInstanceCommand({ ServiceId: service.Id, InstanceId: instance.Id }),
          );
        }
        instancesToken = instances.NextToken;
      } while (instancesToken);
      for (let attempt = 1; ; attempt++) {
        try {
          await cloudMap.send(new DeleteServiceCommand({ Id: service.Id }));
          break;
        } catch (error) {
          if ((error as Error).name !== "ResourceInUse" || attempt >= 10) throw error;
          await sleep(3000);
        }
      }
      log(
        `deleted Cloud Map service ${service.Name} (${service.Id}) left by Service Connect in ${expectedName}`,
      );
      deleted++;
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return deleted;
}

// ---------------------------------------------------------------------------------------------
// Running the commands

export interface CommandResult {
  /** Exit code, or null when the command was ended by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The last TAIL_BYTES of its output (stdout and stderr interleaved). */
  readonly tail: string;
}

export interface RunningCommand {
  readonly done: Promise<CommandResult>;
  /** Passes a signal on to the command (its whole process group). */
  signal(signal: NodeJS.Signals): void;
}

/** How much of a command's output is kept to read its errors (what streams past is not kept). */
export const TAIL_BYTES = 64 * 1024;

/** Keeps the last `limit` bytes written to it. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number = TAIL_BYTES) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size - this.chunks[0].length >= this.limit) this.size -= this.chunks.shift()!.length;
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.limit)).toString("utf8");
  }
}

/**
 * Starts a command asynchronously, streams its output through to `stdout`/`stderr` and keeps a
 * bounded tail. The command gets its own process group (no stdin): a Ctrl-C on the terminal
 * reaches this script only, which passes it on once to the whole group — the cdktf CLI then
 * stops Terraform gracefully (one interrupt: Terraform finishes the current operation and
 * releases its state lock; two would make it exit at once).
 */
export function spawnCommand(
  argv: readonly string[],
  streams: { readonly stdout: Writable; readonly stderr: Writable } = process,
): RunningCommand {
  const [program, ...args] = argv;
  const group = process.platform !== "win32";
  const child = spawn(program, args, { stdio: ["ignore", "pipe", "pipe"], detached: group });
  const tail = new OutputTail();
  child.stdout.on("data", (chunk: Buffer) => {
    streams.stdout.write(chunk);
    tail.push(chunk);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    streams.stderr.write(chunk);
    tail.push(chunk);
  });
  const done = new Promise<CommandResult>((resolve) => {
    child.on("error", (error) => resolve({ code: 127, signal: null, tail: `${program}: ${error.message}` }));
    child.on("close", (code, signal) => resolve({ code, signal, tail: tail.text() }));
  });
  return {
    done,
    signal: (signal) => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try {
        if (group) process.kill(-child.pid, signal);
        else child.kill(signal);
      } catch {
        child.kill(signal);
      }
    },
  };
}

export type InterruptSignal = "SIGINT" | "SIGTERM";
export type StackOutcome =
  | { readonly state: "destroyed"; readonly note?: string }
  | { readonly state: "failed"; readonly reason: string }
  | { readonly state: "interrupted"; readonly signal: InterruptSignal }
  | { readonly state: "not attempted" };

export interface DestroyDeps {
  readonly start: (argv: readonly string[]) => RunningCommand;
  /** Informational lines (stderr). */
  readonly log: (line: string) => void;
  /** Deletes the Service Connect leftovers of a namespace after confirming its name. */
  readonly clearNamespace: (namespaceId: string, expectedName: string) => Promise<number>;
  /** Calls `handler` on SIGINT / SIGTERM until the returned function is called. */
  readonly onSignal: (handler: (signal: InterruptSignal) => void) => () => void;
}

export interface DestroyResult {
  readonly exitCode: number;
  readonly outcomes: ReadonlyMap<StackId, StackOutcome>;
}

/** The exit status and the first Terraform/cdktf error summary line of a command's output. */
export function failureReason(result: CommandResult, stack: string): string {
  const status = result.signal ? `killed by ${result.signal}` : `exit ${result.code}`;
  const line = outputLines(result.tail, stack).find((l) => /\bError: \S/.test(l));
  return line ? `${status}: ${line.slice(line.indexOf("Error: "), 160 + line.indexOf("Error: "))}` : status;
}

const succeeded = (r: CommandResult): boolean => r.code === 0 && r.signal === null;

/**
 * Runs the plan's commands in order and stops at the first failure or interruption. A signal is
 * passed on to the running command, no further stack is started, and the run exits 130/143.
 * Ends with a report per stack.
 */
export async function executeDestroy(plan: DestroyPlan, deps: DestroyDeps): Promise<DestroyResult> {
  const outcomes = new Map<StackId, StackOutcome>(
    plan.steps.map((s) => [s.stack, { state: "not attempted" } as StackOutcome]),
  );
  let interrupted: InterruptSignal | undefined;
  let current: RunningCommand | undefined;
  const stopListening = deps.onSignal((signal) => {
    const again = interrupted !== undefined;
    interrupted ??= signal;
    deps.log(
      !current
        ? `received ${signal}: no further stack will be started`
        : again
          ? `received ${signal} again: passed on; Terraform stops at once and may leave the state locked`
          : `received ${signal}: passed on to the running command (Terraform stops gracefully); no further stack will be started`,
    );
    current?.signal(signal);
  });
  const run = async (step: StackStep): Promise<CommandResult> => {
    deps.log(`destroying ${step.stack}: ${formatCommand(step.argv)}`);
    current = deps.start(step.argv);
    try {
      return await current.done;
    } finally {
      current = undefined;
    }
  };

  try {
    for (const step of plan.steps) {
      if (interrupted) break;
      let result = await run(step);
      let note: string | undefined;
      if (!succeeded(result) && !interrupted && step.stack === "platform") {
        const retry = await clearServiceConnectLeftovers(plan, result, deps);
        if (retry !== undefined && !interrupted) {
          deps.log(`retrying platform once after ${retry}`);
          result = await run(step);
          note = `after ${retry}`;
        }
      }
      if (succeeded(result)) {
        outcomes.set(step.stack, { state: "destroyed", note });
        continue;
      }
      outcomes.set(
        step.stack,
        interrupted
          ? { state: "interrupted", signal: interrupted }
          : { state: "failed", reason: failureReason(result, step.stack) },
      );
      break;
    }
  } finally {
    stopListening();
  }

  report(plan, outcomes, deps.log);
  const failed = [...outcomes.values()].some((o) => o.state === "failed");
  const exitCode = interrupted ? EXIT[interrupted] : failed ? EXIT.failed : EXIT.ok;
  return { exitCode, outcomes };
}

/**
 * After a failed platform destroy: when (and only when) the failure is Cloud Map's "Namespace
 * has associated services" naming this environment's namespace, deletes that namespace's
 * services. Returns what was done (for the retry's log line), or undefined when nothing should
 * be retried.
 */
async function clearServiceConnectLeftovers(
  plan: DestroyPlan,
  result: CommandResult,
  deps: DestroyDeps,
): Promise<string | undefined> {
  const inUse = namespaceInUse(result.tail);
  if (!inUse) return undefined;
  if (inUse.namespaceIds.length === 0) {
    deps.log(
      `platform failed because a Cloud Map namespace still has services, but the error names no namespace id: not clearing anything. Check ${plan.namespaceName} in the Cloud Map console.`,
    );
    return undefined;
  }
  let deleted = 0;
  for (const id of inUse.namespaceIds) {
    deps.log(
      `platform failed because namespace ${id} still has services (Service Connect leftovers): clearing it`,
    );
    try {
      deleted += await deps.clearNamespace(id, plan.namespaceName);
    } catch (error) {
      deps.log(`not clearing namespace ${id}: ${(error as Error).message}`);
      return undefined;
    }
  }
  return `deleting ${deleted} Cloud Map service(s) from ${plan.namespaceName}`;
}

function describe(outcome: StackOutcome): string {
  switch (outcome.state) {
    case "destroyed":
      return outcome.note ? `destroyed (${outcome.note})` : "destroyed";
    case "failed":
      return `failed (${outcome.reason})`;
    case "interrupted":
      return `interrupted (${outcome.signal}); its state may be partly destroyed: run the destroy again`;
    case "not attempted":
      return "not attempted";
  }
}

function report(
  plan: DestroyPlan,
  outcomes: ReadonlyMap<StackId, StackOutcome>,
  log: (line: string) => void,
): void {
  const width = Math.max(...plan.steps.map((s) => s.stack.length));
  log(`destroy of ${plan.environment}:`);
  for (const step of plan.steps) {
    log(`  ${step.stack.padEnd(width)}  ${describe(outcomes.get(step.stack)!)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Entry point

export interface MainIo {
  /** stdout: the dry run's commands and --help. */
  readonly out: (line: string) => void;
  /** stderr: everything else this script says. */
  readonly log: (line: string) => void;
  /** Whether stdin is a terminal a person can answer on. */
  readonly interactive: boolean;
  /** Asks a question on the terminal: the answer, null on Ctrl-C, undefined at end of input. */
  readonly ask: (question: string) => Promise<string | null | undefined>;
  /** What runs the commands, clears namespaces and listens for signals. */
  readonly deps: (config: PlatformConfig) => DestroyDeps;
  /** The deployed state of one stack (parsed JSON), undefined when there is none. */
  readonly readState: (config: PlatformConfig, stack: StackId) => Promise<unknown>;
}

/**
 * Stacks destroyed when none are named: all, except a retiring environment's registry (its
 * repositories keep their images: force_delete is off, and ECR refuses to delete a repository
 * holding images), which is destroyed by naming it once the images are no longer needed.
 */
export function defaultStacks(config: PlatformConfig, requested: readonly string[]): readonly string[] {
  if (requested.length > 0 || config.lifecycle !== "retiring") return requested;
  return DESTROY_ORDER.filter((s) => s !== "registry");
}

/** Entry point: options from argv, config from `env`; resolves to the exit status. */
export async function main(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: MainIo,
): Promise<number> {
  let options: DestroyOptions;
  let plan: DestroyPlan;
  let config: PlatformConfig;
  try {
    options = parseArgs(args);
    if (options.help) {
      io.out(HELP);
      return EXIT.ok;
    }
    requireEnvironmentSuffix(env);
    const cli = cdkCli(env);
    config = loadConfig(env);
    const requested = defaultStacks(config, options.stacks);
    plan = destroyPlan(config, requested, cli);
    guardLongLived(config, plan, options, io.interactive);
    if (requested !== options.stacks)
      io.log(
        `${plan.environment} is retiring: its registry stack is kept (repositories with their images); destroy it later with npm run destroy -- registry --environment ${plan.environment} once the images are deleted`,
      );
    if (!options.dryRun) await guardDeployedState(config, plan, (stack) => io.readState(config, stack));
    if (!options.dryRun && !options.yes && !io.interactive) {
      throw new UsageError(
        `stdin is not a terminal, so the environment cannot be confirmed: pass --yes to destroy ${plan.environment} without asking (npm run destroy -- --yes)`,
      );
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || error instanceof CliRuntimeError) {
      io.log(`error: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }

  io.log(plan.banner);
  if (options.dryRun) {
    for (const step of plan.steps) io.out(`would run: ${formatCommand(step.argv)}`);
    return EXIT.ok;
  }
  if (!options.yes || config.environment.declared) {
    const answer = await io.ask(
      `This destroys every resource of ${plan.steps.map((s) => s.stack).join(", ")} in ${plan.environment}. Type ${plan.environment} to confirm: `,
    );
    if (answer === null) {
      io.log("interrupted at the confirmation; nothing was destroyed");
      return EXIT.SIGINT;
    }
    if (answer?.trim() !== plan.environment) {
      io.log(
        `aborted: ${answer === undefined ? "no answer" : `"${answer.trim()}" is not ${plan.environment}`}; nothing was destroyed`,
      );
      return EXIT.usage;
    }
  }
  const { exitCode } = await executeDestroy(plan, io.deps(config));
  return exitCode;
}

/**
 * The state object the stack's S3 backend writes (bucket and key as in stacks/base.ts), read with
 * the ambient credentials like the backend; undefined when the stack has no state.
 */
export async function readStackState(
  config: PlatformConfig,
  stack: StackId,
  client: S3Client = new S3Client({ region: config.state.region }),
): Promise<unknown> {
  const key = new Naming(config.name, config.environmentSuffix).stateKey(stack);
  try {
    const object = await client.send(new GetObjectCommand({ Bucket: config.state.bucket, Key: key }));
    const text = await object.Body?.transformToString();
    return text ? (JSON.parse(text) as unknown) : undefined;
  } catch (error) {
    if (error instanceof Error && error.name === "NoSuchKey") return undefined;
    throw error;
  }
}

/** The real terminal, processes, signals and Cloud Map. */
export function processIo(): MainIo {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  return {
    out: (line) => process.stdout.write(`${line}\n`),
    log,
    interactive: process.stdin.isTTY === true,
    ask: (question) =>
      new Promise((resolve) => {
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        rl.on("SIGINT", () => {
          process.stderr.write("\n");
          resolve(null);
          rl.close();
        });
        // End of input without an answer; a no-op once the question was answered.
        rl.on("close", () => resolve(undefined));
        rl.question(question, (answer) => {
          resolve(answer);
          rl.close();
        });
      }),
    readState: (config, stack) => readStackState(config, stack),
    deps: (config) => ({
      start: (argv) => spawnCommand(argv),
      log,
      clearNamespace: (id, name) =>
        clearNamespace(new ServiceDiscoveryClient({ region: config.region }), id, name, log),
      onSignal: (handler) => {
        const signals: InterruptSignal[] = ["SIGINT", "SIGTERM"];
        const listeners = signals.map((s) => [s, () => handler(s)] as const);
        for (const [s, l] of listeners) process.on(s, l);
        return () => {
          for (const [s, l] of listeners) process.off(s, l);
        };
      },
    }),
  };
}

if (require.main === module) {
  main(process.argv.slice(2), process.env, processIo()).then(
    (status) => process.exit(status),
    (error: unknown) => {
      console.error(error);
      process.exit(EXIT.failed);
    },
  );
}
