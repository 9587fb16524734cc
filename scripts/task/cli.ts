/**
 * `npm run task -- --service <name> [--command "..."]`: a one-off task (a migration, the
 * database bootstrap `db-bootstrap`) with a service's task definition and network settings.
 * Exits with the task's exit code.
 */
import { parseArgs } from "node:util";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { OneOffTasks } from "../../modules/contracts";
import { fetchTasks, readTasksFile, TaskError, taskEntry } from "./manifest";
import { runOneOffTask, type TaskRuntime } from "./run-task";

/** Exit codes besides the task's own: the task's exit code is passed through. */
export const EXIT = { usage: 2, failed: 1, noExitCode: 125, interrupted: 130 } as const;

export const USAGE = `usage: npm run task -- --service <name> [--command "<shell command>"] [options]

Runs one Fargate task with the service's task definition (latest revision of its family), its
subnets and security group, streams its status until it stops, and exits with the exit code of
the service's container. \`--service db-bootstrap\` runs the platform's database bootstrap task
(creates each service's IAM-authenticated database user).

options:
  --service <name>          service (or db-bootstrap) whose task definition and network to use
  --command "<cmd>"         replaces the container's command, run as sh -c "<cmd>"
  --manifest <file>         outputs file holding one_off_tasks (default: npx cdktf output platform)
  --region <region>         AWS region (default: the SDK's, e.g. AWS_REGION)
  --timeout-minutes <n>     stop waiting after n minutes (default 60; the task keeps running)
  --help

exit codes: the task's container exit code; 1 AWS error, timeout or task stopped without one
(the reason is printed); 2 usage; 125 the container never ran; 130 interrupted`;

export interface TaskOptions {
  readonly service: string;
  readonly command?: string;
  readonly manifest?: string;
  readonly region?: string;
  readonly timeoutMinutes: number;
}

export function parseTaskArgs(argv: string[]): TaskOptions | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        service: { type: "string" },
        command: { type: "string" },
        manifest: { type: "string" },
        region: { type: "string" },
        "timeout-minutes": { type: "string" },
        help: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new TaskError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) return "help";
  if (!values.service) throw new TaskError(`--service is required\n${USAGE}`);
  if (values.command !== undefined && values.command.trim() === "")
    throw new TaskError('--command: "" is empty; give a shell command or leave the option out');
  const minutes = values["timeout-minutes"] ?? "60";
  if (!/^[1-9]\d*$/.test(minutes))
    throw new TaskError(`--timeout-minutes: "${minutes}" is not a whole number of minutes (1 or more)`);
  return {
    service: values.service,
    command: values.command,
    manifest: values.manifest,
    region: values.region,
    timeoutMinutes: Number(minutes),
  };
}

export interface TaskCliDeps {
  readonly loadTasks?: (file: string | undefined) => OneOffTasks;
  readonly ecs?: (region: string | undefined) => ECSClient | Promise<ECSClient>;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  readonly pollIntervalMs?: number;
  readonly signal?: AbortSignal;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
}

async function defaultEcs(region: string | undefined): Promise<ECSClient> {
  const { ECSClient } = await import("@aws-sdk/client-ecs");
  return new ECSClient(region ? { region } : {});
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[], deps: TaskCliDeps = {}): Promise<number> {
  const out = deps.out ?? ((line: string) => console.log(line));
  const err = deps.err ?? ((line: string) => console.error(line));
  let options: TaskOptions | "help";
  try {
    options = parseTaskArgs(argv);
  } catch (error) {
    err(`task: ${(error as Error).message}`);
    return EXIT.usage;
  }
  if (options === "help") {
    out(USAGE);
    return 0;
  }
  let entry;
  try {
    const load = deps.loadTasks ?? ((file) => (file ? readTasksFile(file) : fetchTasks()));
    entry = taskEntry(load(options.manifest), options.service);
  } catch (error) {
    err(`task: ${(error as Error).message}`);
    return EXIT.usage;
  }
  const rt: TaskRuntime = {
    ecs: await (deps.ecs ?? defaultEcs)(options.region),
    log: (line) => out(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
    sleep:
      deps.sleep ??
      ((ms) =>
        new Promise((resolve) => {
          const timer = setTimeout(resolve, ms);
          deps.signal?.addEventListener("abort", () => {
            clearTimeout(timer);
            resolve();
          });
        })),
    now: deps.now ?? Date.now,
    pollIntervalMs: deps.pollIntervalMs ?? 6_000,
    timeoutMs: options.timeoutMinutes * 60_000,
    signal: deps.signal,
  };
  try {
    const outcome = await runOneOffTask(rt, { service: options.service, entry, command: options.command });
    if (outcome.exitCode === undefined) {
      err(`task: the container never ran: ${outcome.stoppedReason ?? "no reason given"}`);
      return EXIT.noExitCode;
    }
    out(`task ${options.service} exited with ${outcome.exitCode}`);
    return outcome.exitCode;
  } catch (error) {
    err(`task: ${(error as Error).message}`);
    return deps.signal?.aborted ? EXIT.interrupted : EXIT.failed;
  }
}
