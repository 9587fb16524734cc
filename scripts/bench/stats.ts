/**
 * The benchmark's arithmetic and its report: medians, ratios to the floor, cost per added
 * service, the budget checks and the Markdown page. Pure functions, so they are unit-tested
 * without timing anything (timed tests are flaky on a shared machine).
 */

/** One timed child process. */
export interface Sample {
  readonly seconds: number;
  /** User + system CPU time of the run and its children: less sensitive to other users' load. */
  readonly cpuSeconds: number;
  /** Peak resident set size of the largest process of the run, in KiB (GNU time %M). */
  readonly maxRssKiB: number;
}

/** Several runs of one scenario, reduced to what the report shows. */
export interface Summary {
  readonly label: string;
  readonly runs: number;
  /** Median wall time over the runs. */
  readonly seconds: number;
  /** Median CPU time (user + system) over the runs. */
  readonly cpuSeconds: number;
  /** Highest peak RSS of any run (a budget on memory must hold for every run, not the median). */
  readonly maxRssKiB: number;
  /** Services in the blueprint, for synth scenarios. */
  readonly services?: number;
  /** Terraform resources and data sources synthesized over all stacks. */
  readonly resources?: number;
  /** Runs that exited non-zero (only for commands timed despite failing, e.g. Jest over others' work). */
  readonly failedRuns?: number;
}

export interface BenchReport {
  /** ISO date-time of the run. */
  readonly date: string;
  /** The framework measured (CDK_RUNTIME): cdktf or cdktn. */
  readonly runtime: string;
  readonly machine: {
    readonly nproc: number;
    readonly node: string;
    readonly cpu: string;
    /** 1-minute load average when the run started: other users' work slows every scenario. */
    readonly load?: number;
  };
  /** The synth entry measured (cdktf.json "app"). */
  readonly appCommand: string;
  readonly floor: Summary;
  readonly defaultBlueprint: Summary;
  /** Generated catalogs, smallest first. */
  readonly catalogs: readonly Summary[];
  /** The full `npm test`, when measured (`--with-tests`). */
  readonly npmTest?: Summary & { readonly exitCode: number };
}

export type BudgetStatus = "pass" | "fail" | "not measured";

export interface BudgetResult {
  readonly name: string;
  readonly limit: string;
  readonly actual: string;
  /** How far the measurement is from the limit, as a share of the limit ("40 % left", "12 % over"). */
  readonly margin: string;
  readonly status: BudgetStatus;
}

/** Budgets from issue 13: what a user pays, on this 2-core machine, on either runtime. */
export const BUDGETS = {
  /** The app command's time for the default blueprint / the floor (node loading the framework). */
  defaultToFloor: 3,
  /** Wall time of the 100-service synth. */
  largeSeconds: 3,
  /** Peak RSS of the 100-service synth. */
  largeMaxRssKiB: 1024 * 1024,
  /** (t100 - t3) / 97. */
  perServiceSeconds: 0.025,
  /** Wall time of the full `npm test`. */
  npmTestSeconds: 90,
} as const;

export const SMALL_CATALOG = 3;
export const LARGE_CATALOG = 100;

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of no values: a scenario needs at least one run");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarize(
  label: string,
  samples: readonly Sample[],
  extra: { services?: number; resources?: number; failedRuns?: number } = {},
): Summary {
  return {
    label,
    runs: samples.length,
    seconds: median(samples.map((s) => s.seconds)),
    cpuSeconds: median(samples.map((s) => s.cpuSeconds)),
    maxRssKiB: Math.max(...samples.map((s) => s.maxRssKiB)),
    ...extra,
  };
}

/** Seconds each added service costs between two catalogs: (t_large - t_small) / (n_large - n_small). */
export function perServiceCost(small: Summary, large: Summary): number {
  if (small.services === undefined || large.services === undefined || large.services <= small.services) {
    throw new Error(
      `cost per service needs two catalogs with growing service counts (got ${small.services} and ${large.services})`,
    );
  }
  return (large.seconds - small.seconds) / (large.services - small.services);
}

export function catalogOf(report: Pick<BenchReport, "catalogs">, services: number): Summary | undefined {
  return report.catalogs.find((c) => c.services === services);
}

const ratio = (x: number) => `${x.toFixed(2)}×`;
const secs = (x: number) => `${x.toFixed(2)} s`;
const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
const ms = (seconds: number) => `${(seconds * 1000).toFixed(0)} ms`;

/** The margin of `measured` under an upper `limit`, as a share of the limit. */
export function margin(measured: number, limit: number): string {
  const share = (limit - measured) / limit;
  return share >= 0 ? `${(share * 100).toFixed(0)} % left` : `${(-share * 100).toFixed(0)} % over`;
}

export function evaluateBudgets(report: BenchReport, budgets = BUDGETS): BudgetResult[] {
  const results: BudgetResult[] = [];
  /** `measured` undefined: not measured; `ok` false fails the budget whatever the margin says. */
  const check = (
    name: string,
    limit: string,
    measured?: { actual: string; value: number; limit: number; ok?: boolean },
  ) =>
    results.push(
      measured === undefined
        ? { name, limit, actual: "–", margin: "–", status: "not measured" }
        : {
            name,
            limit,
            actual: measured.actual,
            margin: margin(measured.value, measured.limit),
            status: measured.value <= measured.limit && measured.ok !== false ? "pass" : "fail",
          },
    );

  const toFloor = report.defaultBlueprint.seconds / report.floor.seconds;
  check("app command, default blueprint, vs floor", `≤ ${budgets.defaultToFloor}× floor`, {
    actual: ratio(toFloor),
    value: toFloor,
    limit: budgets.defaultToFloor,
  });

  const small = catalogOf(report, SMALL_CATALOG);
  const large = catalogOf(report, LARGE_CATALOG);
  check(
    `${LARGE_CATALOG}-service synth time`,
    `≤ ${secs(budgets.largeSeconds)}`,
    large && { actual: secs(large.seconds), value: large.seconds, limit: budgets.largeSeconds },
  );
  check(
    `${LARGE_CATALOG}-service synth peak memory`,
    `< ${mib(budgets.largeMaxRssKiB)}`,
    large && {
      actual: mib(large.maxRssKiB),
      value: large.maxRssKiB,
      limit: budgets.largeMaxRssKiB,
      ok: large.maxRssKiB < budgets.largeMaxRssKiB,
    },
  );
  const perService = small && large ? perServiceCost(small, large) : undefined;
  check(
    "cost per added service",
    `≤ ${ms(budgets.perServiceSeconds)}`,
    perService === undefined
      ? undefined
      : { actual: ms(perService), value: perService, limit: budgets.perServiceSeconds },
  );
  const tests = report.npmTest;
  check(
    "full npm test",
    `≤ ${budgets.npmTestSeconds} s, green`,
    tests && {
      // The CPU time (user + system, all processes) says what the suite needs of the 2 cores
      // whatever else the shared machine runs at the time.
      actual: `${secs(tests.seconds)} (CPU ${secs(tests.cpuSeconds)})${tests.exitCode === 0 ? "" : ` (exit ${tests.exitCode})`}`,
      value: tests.seconds,
      limit: budgets.npmTestSeconds,
      ok: tests.exitCode === 0,
    },
  );
  return results;
}

export function failedBudgets(results: readonly BudgetResult[]): BudgetResult[] {
  return results.filter((r) => r.status === "fail");
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}

/** Where a runtime's generated section sits in docs/benchmark.md. */
export const sectionMarkers = (runtime: string) =>
  [`<!-- bench:${runtime}:start -->`, `<!-- bench:${runtime}:end -->`] as const;

/** The generated section of one runtime: scenarios, cost per service, budgets with margins. */
export function renderSection(report: BenchReport, budgets = evaluateBudgets(report)): string {
  const floor = report.floor.seconds;
  const row = (s: Summary) => [
    s.label,
    s.services === undefined ? "–" : String(s.services),
    s.resources === undefined ? "–" : String(s.resources),
    secs(s.seconds),
    ratio(s.seconds / floor),
    secs(s.cpuSeconds),
    mib(s.maxRssKiB),
    String(s.runs),
  ];
  const small = catalogOf(report, SMALL_CATALOG);
  const large = catalogOf(report, LARGE_CATALOG);
  const [start, end] = sectionMarkers(report.runtime);
  const lines = [
    start,
    "",
    `### ${report.runtime}`,
    "",
    `- date: ${report.date}; machine: ${report.machine.nproc} CPUs (${report.machine.cpu}), Node.js ${report.machine.node}${report.machine.load === undefined ? "" : `; load average ${report.machine.load.toFixed(1)} at the start`}`,
    `- app command (cdktf.json \`app\`): \`${report.appCommand}\` with \`CDK_RUNTIME=${report.runtime}\`, in the environment the CLI gives it, fresh output folder`,
    "",
    ...table(
      ["scenario", "services", "resources", "time", "× floor", "CPU time", "peak RSS", "runs"],
      [row(report.floor), row(report.defaultBlueprint), ...report.catalogs.map(row)],
    ),
    "",
  ];
  if (small && large) {
    lines.push(
      `Cost per added service: ${ms(perServiceCost(small, large))} ((t${large.services} − t${small.services}) / ${large.services! - small.services!}).`,
      "",
    );
  }
  lines.push(
    ...table(
      ["budget", "limit", "measured", "margin", "status"],
      budgets.map((b) => [b.name, b.limit, b.actual, b.margin, b.status]),
    ),
    "",
    end,
  );
  return lines.join("\n");
}

/** `doc` with the runtime's section replaced (or appended when it has none yet). */
export function spliceSection(doc: string, runtime: string, section: string): string {
  const [start, end] = sectionMarkers(runtime);
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  if (from < 0 || to < from) return `${doc.trimEnd()}\n\n${section}\n`;
  return doc.slice(0, from) + section + doc.slice(to + end.length);
}
