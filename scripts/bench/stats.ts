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

/** A before/after line for one speed lever. */
export interface Lever {
  readonly lever: string;
  readonly before: string;
  readonly after: string;
  readonly note: string;
}

export interface BenchReport {
  /** ISO date-time of the run. */
  readonly date: string;
  readonly machine: { readonly nproc: number; readonly node: string; readonly cpu: string };
  /** The synth entry measured (cdktf.json "app"). */
  readonly appCommand: string;
  readonly floor: Summary;
  readonly defaultBlueprint: Summary;
  /** Generated catalogs, smallest first. */
  readonly catalogs: readonly Summary[];
  readonly levers: readonly Lever[];
  /** The full `npm test`, when measured (`--with-tests`). */
  readonly npmTest?: Summary & { readonly exitCode: number };
  /** Free-form findings (test files that re-synthesize, etc.). */
  readonly findings: readonly string[];
}

export type BudgetStatus = "pass" | "fail" | "not measured";

export interface BudgetResult {
  readonly name: string;
  readonly limit: string;
  readonly actual: string;
  readonly status: BudgetStatus;
}

/** Budgets from issue 7, for this 2-core machine. */
export const BUDGETS = {
  /** Default blueprint synth time / floor. */
  defaultToFloor: 4,
  /** 100-service synth time / 3-service synth time. */
  largeToSmall: 3,
  /** Peak RSS of the 100-service synth. */
  largeMaxRssKiB: 1.5 * 1024 * 1024,
  /** Wall time of the full `npm test`. */
  npmTestSeconds: 60,
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

export function evaluateBudgets(report: BenchReport, budgets = BUDGETS): BudgetResult[] {
  const results: BudgetResult[] = [];
  const check = (name: string, limit: string, actual: string | undefined, pass: boolean) =>
    results.push({
      name,
      limit,
      actual: actual ?? "–",
      status: actual === undefined ? "not measured" : pass ? "pass" : "fail",
    });

  const toFloor = report.defaultBlueprint.seconds / report.floor.seconds;
  check(
    "default blueprint synth vs floor",
    `≤ ${budgets.defaultToFloor}× floor`,
    ratio(toFloor),
    toFloor <= budgets.defaultToFloor,
  );

  const small = catalogOf(report, SMALL_CATALOG);
  const large = catalogOf(report, LARGE_CATALOG);
  const growth = small && large ? large.seconds / small.seconds : undefined;
  check(
    `${LARGE_CATALOG} services vs ${SMALL_CATALOG} services`,
    `≤ ${budgets.largeToSmall}× the time`,
    growth === undefined ? undefined : ratio(growth),
    growth !== undefined && growth <= budgets.largeToSmall,
  );
  check(
    `peak memory of the ${LARGE_CATALOG}-service synth`,
    `< ${mib(budgets.largeMaxRssKiB)}`,
    large ? mib(large.maxRssKiB) : undefined,
    large !== undefined && large.maxRssKiB < budgets.largeMaxRssKiB,
  );
  const tests = report.npmTest;
  check(
    "full npm test",
    `≤ ${budgets.npmTestSeconds} s, green`,
    tests ? `${secs(tests.seconds)}${tests.exitCode === 0 ? "" : ` (exit ${tests.exitCode})`}` : undefined,
    tests !== undefined && tests.exitCode === 0 && tests.seconds <= budgets.npmTestSeconds,
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

export function renderMarkdown(report: BenchReport, budgets = evaluateBudgets(report)): string {
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
  const lines = [
    "# Synthesis benchmark",
    "",
    "Generated by `npm run bench` (scripts/bench.ts); do not edit by hand. Re-run after changes",
    "that touch synthesis and commit the result. `npm run bench -- --check` exits non-zero when a",
    "budget fails; `--with-tests` also times the full `npm test` once.",
    "",
    `- date: ${report.date}`,
    `- machine: ${report.machine.nproc} CPUs (${report.machine.cpu}), Node.js ${report.machine.node}; shared with other users, so expect ±20 % between runs`,
    `- synth entry (cdktf.json \`app\`): \`${report.appCommand}\`, run as \`cdktf synth\` runs it (same environment, fresh CDKTF_OUTDIR), the CLI's own start not counted`,
    "- time: median wall time of the runs (interleaved across scenarios, so load from other users hits all alike); CPU time: median user + system time; memory: highest peak RSS of any run (largest process). Budgets use wall time.",
    "",
    "## Synthesis",
    "",
    ...table(
      ["scenario", "services", "resources", "time", "× floor", "CPU time", "peak RSS", "runs"],
      [row(report.floor), row(report.defaultBlueprint), ...report.catalogs.map(row)],
    ),
    "",
  ];
  if (small && large) {
    lines.push(
      `Cost per added service: ${(perServiceCost(small, large) * 1000).toFixed(0)} ms ((t${large.services} − t${small.services}) / ${large.services! - small.services!}).`,
      "",
    );
  }
  lines.push(
    "## Budgets",
    "",
    ...table(
      ["budget", "limit", "measured", "status"],
      budgets.map((b) => [b.name, b.limit, b.actual, b.status]),
    ),
    "",
    "## Speed levers",
    "",
    ...table(
      ["lever", "before", "after", "note"],
      report.levers.map((l) => [l.lever, l.before, l.after, l.note]),
    ),
    "",
  );
  if (report.findings.length > 0) {
    lines.push("## Findings", "", ...report.findings.map((f) => `- ${f}`), "");
  }
  return lines.join("\n");
}
