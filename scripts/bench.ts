/**
 * `npm run bench` — how long a synth takes and how it grows with the service catalog.
 *
 * Measures, as medians over several child-process runs: the floor (a Node process that only
 * loads cdktf), the default blueprint synthesized by the cdktf.json `app` command exactly as
 * `cdktf synth` runs it, and generated catalogs of 3, 10, 30 and 100 services; then the speed
 * levers (synth entry variants, provider imports, Jest transforms, shared synthesis in tests).
 * Writes docs/benchmark.md and prints it.
 *
 *   npm run bench                  # ~3 minutes on 2 CPUs
 *   npm run bench -- --check       # exit 1 when a budget fails
 *   npm run bench -- --with-tests  # also time the full `npm test` once (slow) and the Jest lever
 *   npm run bench -- --runs 1 --no-levers --no-write   # a quick look while developing
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { spawnSync } from "node:child_process";
import { STACK_IDS } from "../stacks/base";
import { auditTestFiles, importsProviderRoot, providerModules, sourceFiles } from "./bench/audit";
import { catalogYaml } from "./bench/catalog";
import { synthEnv, timedRun, timedRunStatus, verifySynthOutput } from "./bench/measure";
import type { ProbeResult } from "./bench/probe";
import {
  BenchReport,
  evaluateBudgets,
  failedBudgets,
  LARGE_CATALOG,
  Lever,
  renderMarkdown,
  Sample,
  SMALL_CATALOG,
  summarize,
  Summary,
} from "./bench/stats";

export const CATALOG_SIZES = [SMALL_CATALOG, 10, 30, LARGE_CATALOG] as const;
/** Every stack a synth must write (state is bootstrapped separately but synthesized too). */
const EXPECTED_STACKS = ["state", ...STACK_IDS];
/** The synth entries compared by the "synth entry" lever (the configured one is always included). */
const ENTRY_VARIANTS = [
  "npx tsx main.ts",
  "node --import tsx main.ts",
  "node -r tsx/cjs main.ts",
  // The first synth after an edit: the bundle is rebuilt and there is no code cache yet.
  "rm -rf dist/bench-cold && node scripts/synth-entry.mjs --dist dist/bench-cold",
  "node scripts/synth-entry.mjs",
];
/**
 * What a CPU profile of the 100-service synth showed (node --cpu-prof on dist/main.js,
 * 2026-11-21); not re-measured by each run, re-check when cdktf or the guardrails change.
 */
const PROFILE_FINDINGS = [
  "CPU profile, 100 services, before the synth entry's stub: cdktf's per-token stack traces (captureStackTrace + formatting) took 32 % of the synth; esbuild's keepNames wrappers 8 %. Both are gone from the bundle.",
  "CPU profile, 100 services, session 1 (bundle, guardrail JSON reused): cdktf resolved every stack twice, once in `prepareStack` only to find cross-stack references and once to write it (~30 % each); its resolver allocated a context and closures per key; its escape scan searched the rest of a string for `${` at every `}`, quadratic in long JSON strings (~12 %). All three are gone: stacks/resolve-once.ts, fast-resolve.ts, linear-token-scan.ts (byte-identical output, tested).",
  "CPU profile, 100 services minus 3 services (what each added service costs), at the time of writing: cdktf's own per-element work (each element's `toTerraform()`, the tokens' own resolution, construct bookkeeping) ~35 %, our resolution walk and stack assembly ~20 %, garbage collection ~12 %, the guardrails and dashboards ~10 %, writing the sorted JSON ~8 %, reading the YAML blueprint ~5 %. Taken since session 1: one resolution per element, the token-free walk, linear token scans, a document assembled by reference instead of cdktf's deep copy, a native-JSON.stringify writer in the bundle, per-stack lookups and literal role policies (fewer elements), and no quadratic guardrail joins (reference patterns, ECR3, SG1). The cost per service is linear; what is left is spread thin.",
];
/** Test files the Jest levers run: the stack tests, which synthesize whole apps. */
const JEST_LEVER_TESTS = "__tests__/stacks";
/**
 * The synth entry's token stack trace stub, as a Jest setup line: cdktf's modules call
 * `(0, stack_trace_1.captureStackTrace)()`, reading the export at each call, so replacing it works.
 */
const JEST_NO_TOKEN_STACK_TRACES =
  'require("cdktf/lib/tokens/private/stack-trace").captureStackTrace = () => [];';
const SOURCE_ROOTS = ["main.ts", "config", "modules", "stacks", "scripts", "__tests__"];

export interface BenchOptions {
  readonly check: boolean;
  readonly withTests: boolean;
  readonly levers: boolean;
  readonly write: boolean;
  /** Runs per small scenario (at least 5 for the report); the 100-service catalog gets min(runs, 3). */
  readonly runs: number;
  readonly out: string;
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  const options = {
    check: false,
    withTests: false,
    levers: true,
    write: true,
    runs: 5,
    out: "docs/benchmark.md",
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--check") options.check = true;
    else if (arg === "--with-tests") options.withTests = true;
    else if (arg === "--no-levers") options.levers = false;
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
        `unknown option ${arg} (allowed: --check, --with-tests, --no-levers, --no-write, --runs N, --out FILE)`,
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
  /** Time the command even when it exits non-zero (Jest runs over others' work in progress). */
  readonly allowFailure?: boolean;
  /** A synth: run with the cdktf synth environment and check its output. */
  readonly synth?: { readonly blueprint?: string; readonly services?: number };
}

/**
 * Interleaves the runs of several scenarios (round 1: A, B, C; round 2: A, B, C; ...), so a
 * burst of load from other users of the machine lands on all of them instead of skewing one;
 * the ratios between scenarios are what the budgets check. Synths get one untimed warm-up
 * run (it fills tsx's transform cache or the synth entry's bundle and code cache).
 */
export function measureInterleaved(scenarios: readonly Scenario[]): Summary[] {
  const samples = scenarios.map((): Sample[] => []);
  const resources = scenarios.map(() => 0);
  const failures = scenarios.map(() => 0);
  const rounds = Math.max(...scenarios.map((sc) => sc.runs)) + 1;
  for (let round = 0; round < rounds; round++) {
    scenarios.forEach((sc, i) => {
      const warmUp = sc.synth !== undefined && round === 0;
      const timedRound = sc.synth !== undefined ? round - 1 : round;
      if (!warmUp && timedRound >= sc.runs) return;
      if (!sc.synth) {
        const env = { ...process.env };
        if (!sc.allowFailure) {
          samples[i].push(timedRun(sc.command, env));
          return;
        }
        const run = timedRunStatus(sc.command, env);
        if (run.exitCode !== 0) failures[i]++;
        samples[i].push(run);
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
    const summary = summarize(
      sc.label,
      samples[i],
      sc.synth
        ? { services: sc.synth.services, resources: resources[i] }
        : failures[i] > 0
          ? { failedRuns: failures[i] }
          : {},
    );
    log(`  ${sc.label}: ${fmt(summary)}`);
    return summary;
  });
}

const fmt = (s: Summary) =>
  `${s.seconds.toFixed(2)} s (CPU ${s.cpuSeconds.toFixed(2)} s), ${(s.maxRssKiB / 1024).toFixed(0)} MiB${s.failedRuns ? `, ${s.failedRuns} of ${s.runs} runs exited non-zero` : ""}`;

function entryLever(command: string, runs: number): Lever[] {
  const variants = ENTRY_VARIANTS.includes(command) ? ENTRY_VARIANTS : [...ENTRY_VARIANTS, command];
  const results = measureInterleaved(
    variants.map((variant) => ({ label: `entry: ${variant}`, command: variant, runs, synth: {} })),
  );
  const [baseline] = results;
  const fastest = Math.min(...results.map((r) => r.seconds));
  return variants.slice(1).map((variant, i) => {
    const s = results[i + 1];
    return {
      lever: `synth entry \`${variant}\`${variant === command ? " (configured)" : ""}`,
      before: `\`${variants[0]}\`: ${fmt(baseline)}`,
      after: fmt(s),
      note: `${((1 - s.seconds / baseline.seconds) * 100).toFixed(0)} % less time${s.seconds === fastest ? "; fastest" : ""}`,
    };
  });
}

function providerLever(runs: number, findings: string[]): Lever {
  const files = sourceFiles(SOURCE_ROOTS);
  const offenders = files.filter((f) => importsProviderRoot(readFileSync(f, "utf8")));
  const appFiles = sourceFiles(["main.ts", "config", "modules", "stacks"]);
  const used = [...new Set(appFiles.flatMap((f) => providerModules(readFileSync(f, "utf8"))))].sort();
  const [root, perModule] = measureInterleaved([
    {
      label: "provider package root",
      command: `node -e 'require("@cdktf/provider-aws")'`,
      runs: Math.min(runs, 3),
    },
    {
      label: `${used.length} provider modules`,
      command: `node -e '${used.map((m) => `require("${m}");`).join("")}'`,
      runs,
    },
  ]);
  if (offenders.length > 0)
    findings.push(
      `Files importing the provider package root: ${offenders.map((f) => `\`${f}\``).join(", ")}.`,
    );
  return {
    lever: "provider classes imported per module file",
    before: `package root: ${fmt(root)}`,
    after: `the ${used.length} modules the app imports: ${fmt(perModule)}`,
    note:
      offenders.length === 0
        ? `grep: no file under ${SOURCE_ROOTS.map((r) => `\`${r}\``).join(", ")} imports the root (eslint no-restricted-imports guards it)`
        : `${offenders.length} file(s) import the root: ${offenders.map((f) => `\`${f}\``).join(", ")}`,
  };
}

/** Whether jest.config.js transpiles without type-checking (ts-jest diagnostics off, isolatedModules on). */
function jestTranspileOnly(): { diagnosticsOff: boolean; isolatedModules: boolean } {
  const jestConfig = readFileSync("jest.config.js", "utf8");
  const tsconfig = JSON.parse(readFileSync("tsconfig.json", "utf8")) as {
    compilerOptions?: { isolatedModules?: boolean };
  };
  return {
    diagnosticsOff: /diagnostics:\s*false/.test(jestConfig),
    isolatedModules: tsconfig.compilerOptions?.isolatedModules === true,
  };
}

/**
 * Jest levers, on the stack tests (whole-app syntheses): a type-checking transform vs the
 * configured transpile-only one (cold cache both), and the configured one with cdktf's token
 * stack traces stubbed out as the synth entry does (what setup.js would need, see below).
 */
function jestLevers(withTests: boolean, dir: string): Lever[] {
  const { diagnosticsOff, isolatedModules } = jestTranspileOnly();
  const verified = `config: ts-jest diagnostics ${diagnosticsOff ? "off" : "ON"}, tsconfig isolatedModules ${isolatedModules ? "on (transpileModule, no language service)" : "OFF"}`;
  if (!withTests) {
    return [
      {
        lever: "no type-checking in Jest transforms",
        before: "–",
        after: "–",
        note: `${verified}; timed with --with-tests`,
      },
    ];
  }
  const stub = join(dir, "no-token-stack-traces.js");
  // The stub lives outside the repo, so it requires cdktf's module by its resolved path.
  const stackTraceModule = require.resolve("cdktf/lib/tokens/private/stack-trace");
  writeFileSync(stub, `${JEST_NO_TOKEN_STACK_TRACES.replace(/"[^"]+"/, JSON.stringify(stackTraceModule))}\n`);
  // Traces on: cdktf's matchers only, without setup.js (which stubs the traces when adopted).
  const matchersOnly = join(dir, "matchers-only.js");
  writeFileSync(matchersOnly, `require(${JSON.stringify(require.resolve("cdktf"))}).Testing.setupJest();\n`);
  const write = (name: string, transformOptions: object, setup: string[] = ["<rootDir>/setup.js"]) => {
    const path = join(dir, name);
    const config = {
      testEnvironment: "node",
      rootDir: process.cwd(),
      roots: ["<rootDir>/__tests__"],
      setupFilesAfterEnv: setup,
      maxWorkers: 2,
      transform: { "^.+\\.ts$": ["ts-jest", transformOptions] },
    };
    writeFileSync(path, JSON.stringify(config));
    return path;
  };
  const checked = write("jest-typecheck.json", {
    diagnostics: { warnOnly: true },
    tsconfig: { isolatedModules: false },
  });
  const transpiled = write("jest-transpile.json", { diagnostics: false });
  const withTraces = write("jest-with-traces.json", { diagnostics: false }, [matchersOnly]);
  const noTraces = write("jest-no-traces.json", { diagnostics: false }, [matchersOnly, stub]);
  const jest = (config: string, cache: boolean) =>
    `npx jest --ci --silent --coverage=false ${cache ? "" : "--no-cache "}--config ${config} ${JEST_LEVER_TESTS}`;
  const [typeChecked, transpileOnly, warmTranspile, warmNoTraces] = measureInterleaved([
    { label: "jest, type-checking transform", command: jest(checked, false), runs: 1, allowFailure: true },
    { label: "jest, transpile only", command: jest(transpiled, false), runs: 1, allowFailure: true },
    {
      label: "jest, warm cache, token stack traces on",
      command: jest(withTraces, true),
      runs: 3,
      allowFailure: true,
    },
    {
      label: "jest, warm cache, no token stack traces",
      command: jest(noTraces, true),
      runs: 3,
      allowFailure: true,
    },
  ]);
  return [
    {
      lever: "no type-checking in Jest transforms",
      before: `type-checking transform: ${fmt(typeChecked)}`,
      after: `transpile only: ${fmt(transpileOnly)}`,
      note: `\`${JEST_LEVER_TESTS}\`, cold Jest cache, 1 run each; ${verified}`,
    },
    {
      lever: `no cdktf token stack traces in Jest (${adoption(readFileSync("setup.js", "utf8").includes("captureStackTrace"))})`,
      before: `cdktf's matchers only (traces on): ${fmt(warmTranspile)}`,
      after: `with \`${JEST_NO_TOKEN_STACK_TRACES}\` in a setup file: ${fmt(warmNoTraces)}`,
      note: `\`${JEST_LEVER_TESTS}\`, warm Jest cache, median of 3`,
    },
  ];
}

/**
 * Caches for the non-Jest steps of `npm test` (lint, format check, type-check): each pair is
 * the command as package.json runs it and the same with its tool's cache, warmed by one run.
 * Caches go under dist/ (ignored by git, eslint and prettier).
 */
const NPM_TEST_CACHE_LEVERS = [
  [
    "eslint",
    "npx eslint .",
    "npx eslint --cache --cache-location dist/.eslintcache .",
    /eslint [^&]*--cache/,
  ],
  ["prettier", "npx prettier --check .", "npx prettier --check --cache .", /prettier [^&]*--cache/],
  [
    "tsc",
    "npx tsc --noEmit",
    "npx tsc --noEmit --incremental --tsBuildInfoFile dist/tsconfig.tsbuildinfo",
    /tsc [^&]*--incremental/,
  ],
] as const;

/** "adopted" or "not adopted", as the repository's files say (not as this file assumes). */
function adoption(adopted: boolean): string {
  return adopted ? "adopted" : "not adopted";
}

/** The scripts `npm test` runs (package.json), where the cache flags would be. */
function npmTestScripts(): string {
  const { scripts } = JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> };
  return [scripts.lint, scripts.typecheck, scripts.test].join(" && ");
}

function npmTestCacheLevers(): Lever[] {
  // Warm the caches once; the tools exit non-zero on others' work in progress, which is fine here.
  for (const [, , cached] of NPM_TEST_CACHE_LEVERS) timedRunStatus(cached, { ...process.env });
  const results = measureInterleaved(
    NPM_TEST_CACHE_LEVERS.flatMap(([tool, plain, cached]) => [
      { label: `${tool}`, command: plain, runs: 1, allowFailure: true },
      { label: `${tool} with cache`, command: cached, runs: 1, allowFailure: true },
    ]),
  );
  const scripts = npmTestScripts();
  return NPM_TEST_CACHE_LEVERS.map(([tool, plain, cached, inScripts], i) => ({
    lever: `${tool} cache in npm test (${adoption(inScripts.test(scripts))})`,
    before: `\`${plain}\`: ${fmt(results[2 * i])}`,
    after: `\`${cached}\`: ${fmt(results[2 * i + 1])}`,
    note: "warm cache, no source changed since the last run (the common re-run); 1 run each",
  }));
}

/** Runs the in-process probe (scripts/bench/probe.ts) on a blueprint. */
function probe(blueprint?: string): ProbeResult {
  const outdir = mkdtempSync(join(tmpdir(), "bench-probe-"));
  const run = spawnSync("node", ["-r", "tsx/cjs", "scripts/bench/probe.ts"], {
    env: synthEnv(process.env, outdir, blueprint),
    encoding: "utf8",
  });
  rmSync(outdir, { recursive: true, force: true });
  if (run.status !== 0) throw new Error(`probe failed:\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as ProbeResult;
}

function sharedSynthLever(findings: string[], largeCatalog: string, levers: Lever[]): Lever {
  const result = probe();
  const [, warm] = result.synthSeconds;
  findings.push(
    `In-process split of the default synth (tsx, token stack traces stubbed as in Jest): load cdktf ${result.cdktfLoadSeconds.toFixed(2)} s, load the app's modules ${result.appModulesLoadSeconds.toFixed(2)} s, build + synth ${result.synthSeconds.map((x) => x.toFixed(2)).join(" s first, ")} s warm.`,
  );
  const large = probe(largeCatalog);
  findings.push(
    `The ${LARGE_CATALOG}-service catalog in-process (tsx, warm): build + synth ${large.synthSeconds[1].toFixed(2)} s; resolving every stack once more afresh (what any validation that called cdktf's \`toTerraform()\` again would add) ${large.resolveSeconds.toFixed(2)} s.`,
  );

  levers.push({
    lever: "stacks resolve once, through a token-free fast path and a linear token scan (adopted)",
    before: `cdktf's own synthesis: ${large.cdktfSynthSeconds.toFixed(2)} s`,
    after: `stacks/resolve-once.ts: ${large.synthSeconds[1].toFixed(2)} s`,
    note: `${LARGE_CATALOG}-service catalog, warm build + synth in one process (tsx), token stack traces stubbed; written files byte-identical (__tests__/stacks/resolve-once.test.ts)`,
  });

  const audits = auditTestFiles();
  // The estimate covers files that share whole-app syntheses: module tests synthesize one
  // small scope, whose cost the default app's synth time would overstate.
  const shared = audits.filter((a) => a.sharedSynths > 0 && a.synthesizesApps);
  const testsReadingShared = shared.reduce((n, a) => n + a.tests, 0);
  const sharedCount = shared.reduce((n, a) => n + a.sharedSynths, 0);
  for (const a of audits.filter((x) => x.perTestSynths > 0)) {
    findings.push(
      `\`${a.file}\`: ${a.perTestSynths} synthesis call(s) inside test bodies (outside expect()) among ${a.tests} tests; fine when each needs its own props, otherwise synthesize once per describe.`,
    );
  }
  return {
    lever: "one synthesized app per blueprint/describe in tests",
    before: `per test: ${testsReadingShared} tests × ${warm.toFixed(2)} s = ${(testsReadingShared * warm).toFixed(1)} s (estimate)`,
    after: `shared: ${sharedCount} syntheses at describe/module scope ≈ ${(sharedCount * warm).toFixed(1)} s`,
    note: `${shared.length} test files that synthesize whole apps; warm in-process synth of the default blueprint; ${audits.filter((a) => a.perTestSynths > 0).length} of ${audits.length} test files also synthesize inside tests (see findings)`,
  };
}

export function run(options: BenchOptions): BenchReport {
  const command = appCommand();
  const dir = mkdtempSync(join(tmpdir(), "bench-"));
  try {
    const catalogFiles = CATALOG_SIZES.map((n) => {
      const file = join(dir, `catalog-${n}.yaml`);
      writeFileSync(file, catalogYaml(n));
      return resolve(file);
    });
    log(
      `synthesis via \`${command}\`: floor, default blueprint, catalogs (${options.runs} interleaved rounds)`,
    );
    const [floor, defaultBlueprint, ...catalogs] = measureInterleaved([
      { label: "floor: node loads cdktf", command: `node -e 'require("cdktf")'`, runs: options.runs },
      { label: "default blueprint (trading)", command, runs: options.runs, synth: {} },
      ...CATALOG_SIZES.map((n, i) => ({
        label: `catalog of ${n} services`,
        command,
        runs: runsFor(n, options.runs),
        synth: { blueprint: catalogFiles[i], services: n },
      })),
    ]);
    const levers: Lever[] = [];
    const findings: string[] = [...PROFILE_FINDINGS];
    if (options.levers) {
      log("levers");
      levers.push(providerLever(options.runs, findings));
      levers.push(...entryLever(command, options.runs));
      levers.push(...jestLevers(options.withTests, dir));
      if (options.withTests) levers.push(...npmTestCacheLevers());
      levers.push(sharedSynthLever(findings, catalogFiles[catalogFiles.length - 1], levers));
    }
    let npmTest: BenchReport["npmTest"];
    if (options.withTests) {
      log("npm test (once)");
      const tests = timedRunStatus("npm test", { ...process.env });
      npmTest = { ...summarize("npm test", [tests]), exitCode: tests.exitCode };
      log(`  npm test: ${tests.seconds.toFixed(1)} s, exit ${tests.exitCode}`);
    }
    return {
      date: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      machine: {
        nproc: availableParallelism(),
        node: process.version,
        cpu: cpus()[0]?.model.trim() ?? "unknown",
      },
      appCommand: command,
      floor,
      defaultBlueprint,
      catalogs,
      levers,
      npmTest,
      findings,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    // Scratch the levers leave under dist/ (the real bundle and its code caches stay).
    for (const scratch of ["dist/bench-cold", "dist/.eslintcache", "dist/tsconfig.tsbuildinfo"])
      rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const report = run(options);
  const budgets = evaluateBudgets(report);
  // Formatted as `prettier --check .` (in npm test) expects the committed page to be. Imported
  // here, not at the top: prettier's CommonJS entry fails to load inside Jest, which imports
  // this file for its tests.
  const { format, resolveConfig } = await import("prettier");
  const markdown = await format(renderMarkdown(report, budgets), {
    ...(await resolveConfig(options.out)),
    filepath: options.out,
  });
  process.stdout.write(markdown);
  if (options.write) {
    writeFileSync(options.out, markdown);
    log(`wrote ${options.out}`);
  }
  const failed = failedBudgets(budgets);
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
