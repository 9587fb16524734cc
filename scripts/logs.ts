/**
 * `npm run logs -- --service <name> [--since 10m] [--follow]`: the application log of one
 * service of the environment (BLUEPRINT, ENVIRONMENT_SUFFIX), oldest first and newest last,
 * from its CloudWatch log group (`/ecs/<service>-<suffix>`, streams `<service>/<service>/<task>`:
 * the awslogs driver names a stream `prefix/container/task-id`, and the app container's prefix
 * and name are the service name). Sidecars (X-Ray, ADOT, Service Connect) log to other streams
 * of the group and are left out. `--follow` polls every 2 seconds until Ctrl-C, re-reading
 * the last 30 seconds each time (events of one task can be ingested late) and printing each
 * eventId once.
 */
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  FilteredLogEvent,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  COMMON_USAGE,
  loadEnvironment,
  OperatorEnvironment,
  parseArgs,
  UsageError,
} from "./operator/environment";

export const LOGS_USAGE = `usage: npm run logs -- --service <name> [--since <n>s|m|h|d] [--follow] ${COMMON_USAGE}`;

/** `--since`: a number and a unit (s, m, h, d); milliseconds. */
export function parseSince(value: string): number {
  const match = /^(\d+)([smhd])$/.exec(value);
  if (!match)
    throw new UsageError(
      `--since: "${value}" is not a duration (a number and s, m, h or d: 30s, 10m, 2h, 1d)`,
    );
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}

export interface LogsOptions {
  readonly service: string;
  readonly sinceMs: number;
  readonly follow: boolean;
}

export interface LogsDeps {
  readonly logs: CloudWatchLogsClient;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly print: (line: string) => void;
  /** Aborted on Ctrl-C: `--follow` stops. */
  readonly signal?: AbortSignal;
}

export function formatEvent(e: FilteredLogEvent): string {
  const time = new Date(e.timestamp ?? 0).toISOString().replace("T", " ").replace("Z", "");
  const task = e.logStreamName?.split("/").pop()?.slice(0, 8) ?? "-";
  return `${time} ${task} ${(e.message ?? "").replace(/\n$/, "")}`;
}

export const POLL_MS = 2_000;
/** How far back each `--follow` poll re-reads before the newest event seen (late ingestion). */
export const FOLLOW_WINDOW_MS = 30_000;

/** Prints the service's events since `sinceMs` ago; with `follow`, keeps polling for new ones. */
export async function streamLogs(
  target: OperatorEnvironment,
  options: LogsOptions,
  deps: LogsDeps,
): Promise<number> {
  const logGroupName = target.naming.name("logGroup", options.service);
  const logStreamNamePrefix = `${options.service}/${options.service}/`;
  const from = deps.now() - options.sinceMs;
  let startTime = from;
  // With more than one task, CloudWatch Logs ingests each stream on its own clock: an event
  // stamped before the newest one seen can arrive after it. Each poll re-reads a trailing window
  // before the newest timestamp and skips the events already printed (by eventId).
  const seen = new Map<string, number>();
  let printed = 0;
  do {
    const batch: FilteredLogEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await deps.logs.send(
        new FilterLogEventsCommand({ logGroupName, logStreamNamePrefix, startTime, nextToken }),
      );
      batch.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken && !deps.signal?.aborted);
    // Across streams the pages are not in time order: newest last.
    batch.sort(
      (a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0) || (a.ingestionTime ?? 0) - (b.ingestionTime ?? 0),
    );
    const fresh = batch.filter((e) => !seen.has(e.eventId ?? ""));
    for (const e of fresh) {
      deps.print(formatEvent(e));
      seen.set(e.eventId ?? "", e.timestamp ?? 0);
    }
    printed += fresh.length;
    if (batch.length > 0) {
      const newest = Math.max(startTime, batch[batch.length - 1].timestamp ?? startTime);
      startTime = Math.max(from, newest - FOLLOW_WINDOW_MS);
      // Only ids inside the window can come back: keep the set bounded.
      for (const [id, t] of seen) if (t < startTime) seen.delete(id);
    }
    if (!options.follow || deps.signal?.aborted) break;
    await deps.sleep(POLL_MS);
  } while (!deps.signal?.aborted);
  if (printed === 0 && !options.follow)
    deps.print(`(no events in ${logGroupName} since ${new Date(from).toISOString()})`);
  return 0;
}

export async function main(
  argv: readonly string[],
  deps: Omit<LogsDeps, "logs"> & { logsFor?: (region: string) => CloudWatchLogsClient },
): Promise<number> {
  let target: OperatorEnvironment;
  let options: LogsOptions;
  try {
    const args = parseArgs(argv, { values: ["--service", "--since"], switches: ["--follow"] });
    if (args.positional.length > 0) throw new UsageError(`unexpected argument ${args.positional[0]}`);
    target = loadEnvironment(args.common);
    const services = Object.keys(target.config.services);
    const service = args.values.get("--service");
    if (service === undefined) throw new UsageError(`--service: required (${services.join(", ")})`);
    if (!services.includes(service))
      throw new UsageError(
        `--service: "${service}" is not a service of blueprint ${target.config.name} (${services.join(", ")})`,
      );
    options = {
      service,
      sinceMs: parseSince(args.values.get("--since") ?? "10m"),
      follow: args.switches.has("--follow"),
    };
  } catch (error) {
    deps.print(`${(error as Error).message}\n${LOGS_USAGE}`);
    return 2;
  }
  const logs = (deps.logsFor ?? ((region) => new CloudWatchLogsClient({ region })))(target.config.region);
  try {
    return await streamLogs(target, options, { ...deps, logs });
  } catch (error) {
    deps.print(
      `logs: ${(error as Error).name}: ${(error as Error).message}\n(no credentials or no access? run npm run doctor)`,
    );
    return 1;
  }
}

if (require.main === module) {
  const controller = new AbortController();
  process.on("SIGINT", () => controller.abort());
  main(process.argv.slice(2), {
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    print: (line) => console.log(line),
    signal: controller.signal,
  }).then((code) => {
    process.exitCode = code;
  });
}
