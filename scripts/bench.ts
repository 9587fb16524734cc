/**
 * `npm run bench` — what a synth costs a user, on the runtime CDK_RUNTIME selects.
 *
 * Measures, as medians over interleaved child-process runs: the floor (node loading the
 * framework), the default blueprint synthesized by the cdktf.json `app` command as the CLI
 * runs it, and generated catalogs of 3, 10, 30 and 100 services; checks the budgets
 * (scripts/bench/stats.ts) and writes this runtime's section of docs/benchmark.md.
 *
 *   npm run bench                                  # ~1 minute on 2 CPUs
 *   CDK_RUNTIME=cdktn npm run bench                # the same on cdktn
 *   npm run bench -- --check                       # exit 1 when a budget fails
 *   npm run bench -- --with-tests                  # also time the full `npm test` once
 *   npm run bench -- --runs 1 --no-write           # a quick look while developing
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { STACK_IDS } from "../stacks/base";
import { catalogYaml } from "./bench/catalog";
import { synthEnv, timedRun, timedRunStatus, verifySynthOutput } from "./bench/measure";
import {
  BenchReport,
  evaluateBudgets,
  failedBudgets,
  LARGE_CATALOG,
  renderSection,
  Sample,
  SMALL_CATALOG,
  spliceSection,
  summarize,
  Summary,
} from "./bench/stats";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runtime } = require("./runtime.cjs") as { runtime: () => string };

export const CATALOG_SIZES = [SMALL_CATALOG, 10, 30, LARGE_CATALOG] as const;
/** Every stack a synth must write (state is bootstrapped separately but synthesized too). */
const EXPECTED_STACKS = ["state", ...STACK_IDS];

export interface BenchOptions {
  readonly check: boolean;
  readonly withTests: boolean;
  readonly write: boolean;
  /** Runs per small scenario; the 100-service catalog gets min(runs, 3). */
  readonly runs: number;
  readonly out: string;
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  const options = { check: false, withTests: false, write: true, runs: 5, out: "docs/benchmark.md" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--check") options.check = true;
    else if (arg === "--with-tests") options.withTests = true;
    else if (arg === "--no-write") options.write = false;
    else if (arg === "--runs" || arg === "--out") {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      if (arg === "--out") options.out = value;
      else {
        const runs = Number(value);
        if (!Number.isInteger(runs) || runs < 1)
          throw new Error(`--runs ${value}: use a whole number, 1 or more`);
        options.runs = runs;
      }
    } else {
      throw new Error(
        `unknown option ${arg} (allowed: --check, --with-tests, --no-write, --runs N, --out FILE)`,
      );
    }
  }
  return options;
}

/** The largest catalog is slow; three runs give a median without tripling the bench's run time. */
export function runsFor(services: number | undefined, runs: number): number {
  return services === LARGE_CATALOG ? Math.min(runs, 3) : runs;
}

const log = (message: string) => process.stderr.write(`${message}\n`);

function appCommand(): string {
  const cdktf = JSON.parse(readFileSync("cdktf.json", "utf8")) as { app?: string };
  if (!cdktf.app) throw new Error('cdktf.json has no "app" command');
  return cdktf.app;
}

/** One thing to time: a synth (verified output) or a plain command. */
export interface Scenario {
  readonly label: string;
  readonly command: string;
  readonly runs: number;
  /** A synth: run with the CLI's synth environment and check its output. */
  readonly synth?: { readonly blueprint?: string; readonly services?: number };
}

/**
 * Interleaves the runs of several scenarios (round 1: A, B, C; round 2: A, B, C; ...), so a
 * burst of load from other users of the machine lands on all of them instead of skewing one.
 * Synths get one untimed warm-up run (it fills the synth entry's bundle and code cache).
 */
export function measureInterleaved(scenarios: readonly Scenario[]): Summary[] {
  const samples = scenarios.map((): Sample[] => []);
  const resources = scenarios.map(() => 0);
  const rounds = Math.max(...scenarios.map((sc) => sc.runs)) + 1;
  for (let round = 0; round < rounds; round++) {
    scenarios.forEach((sc, i) => {
      const warmUp = sc.synth !== undefined && round === 0;
      const timedRound = sc.synth !== undefined ? round - 1 : round;
      if (!warmUp && timedRound >= sc.runs) return;
      if (!sc.synth) {
        samples[i].push(timedRun(sc.command, { ...process.env }));
        return;
      }
      const outdir = mkdtempSync(join(tmpdir(), "bench-synth-"));
      try {
        const sample = timedRun(sc.command, synthEnv(process.env, outdir, sc.synth.blueprint));
        resources[i] = verifySynthOutput(outdir, EXPECTED_STACKS);
        if (!warmUp) samples[i].push(sample);
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    });
  }
  return scenarios.map((sc, i) => {
    const extra = sc.synth ? { services: sc.synth.services, resources: resources[i] } : {};
    const summary = summarize(sc.label, samples[i], extra);
    log(`  ${sc.label}: ${summary.seconds.toFixed(2)} s, ${(summary.maxRssKiB / 1024).toFixed(0)} MiB`);
    return summary;
  });
}

export function run(options: BenchOptions): BenchReport {
  const command = appCommand();
  const framework = runtime();
  const dir = mkdtempSync(join(tmpdir(), "bench-"));
  const [load] = loadavg();
  try {
    const catalogFiles = CATALOG_SIZES.map((n) => {
      const file = join(dir, `catalog-${n}.yaml`);
      writeFileSync(file, catalogYaml(n));
      return resolve(file);
    });
    log(
      `${framework}: \`${command}\`: floor, default blueprint, catalogs (${options.runs} interleaved rounds)`,
    );
    const [floor, defaultBlueprint, ...catalogs] = measureInterleaved([
      {
        label: `floor: node loads ${framework}`,
        command: `node -e 'require("${framework}")'`,
        runs: options.runs,
      },
      { label: "default blueprint (trading)", command, runs: options.runs, synth: {} },
      ...CATALOG_SIZES.map((n, i) => ({
        label: `catalog of ${n} services`,
        command,
        runs: runsFor(n, options.runs),
        synth: { blueprint: catalogFiles[i], services: n },
      })),
    ]);
    let npmTest: BenchReport["npmTest"];
    if (options.withTests) {
      log("npm test (once)");
      const tests = timedRunStatus("npm test", { ...process.env });
      npmTest = { ...summarize("npm test", [tests]), exitCode: tests.exitCode };
      log(`  npm test: ${tests.seconds.toFixed(1)} s, exit ${tests.exitCode}`);
    }
    return {
      date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      runtime: framework,
      machine: {
        nproc: availableParallelism(),
        node: process.version,
        cpu: cpus()[0]?.model.trim() ?? "unknown",
        load,
      },
      appCommand: command,
      floor,
      defaultBlueprint,
      catalogs,
      npmTest,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const report = run(options);
  const budgets = evaluateBudgets(report);
  const section = renderSection(report, budgets);
  process.stdout.write(`${section}\n`);
  if (options.write) {
    const doc = existsSync(options.out) ? readFileSync(options.out, "utf8") : "# Synthesis benchmark\n";
    // Formatted as `prettier --check .` (in npm test) expects the committed page to be. Imported
    // here: prettier's CommonJS entry fails to load inside Jest, which imports this file.
    const { format, resolveConfig } = await import("prettier");
    const markdown = await format(spliceSection(doc, report.runtime, section), {
      ...(await resolveConfig(options.out)),
      filepath: options.out,
    });
    writeFileSync(options.out, markdown);
    log(`wrote the ${report.runtime} section of ${options.out}`);
  }
  const failed = failedBudgets(budgets);
  for (const b of budgets)
    log(`  budget ${b.name}: ${b.actual} (limit ${b.limit}, ${b.margin}): ${b.status}`);
  if (options.check && failed.length > 0) {
    log(`budget(s) failed: ${failed.map((b) => `${b.name} (${b.actual}, limit ${b.limit})`).join("; ")}`);
    process.exit(1);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
