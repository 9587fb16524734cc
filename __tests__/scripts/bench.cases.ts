import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, parseBlueprint } from "../../config";
import { measureInterleaved, parseArgs, runsFor } from "../../scripts/bench";
import {
  ALB_QUOTAS,
  albUsage,
  catalogKinds,
  catalogYaml,
  generateCatalog,
  MAX_WEB_SERVICES,
} from "../../scripts/bench/catalog";
import { parseTimeOutput, synthEnv, timedRun, verifySynthOutput } from "../../scripts/bench/measure";
import {
  BenchReport,
  BUDGETS,
  evaluateBudgets,
  failedBudgets,
  margin,
  median,
  perServiceCost,
  renderSection,
  spliceSection,
  summarize,
  Summary,
} from "../../scripts/bench/stats";

const SIZES = [3, 10, 30, 100];

describe("generated service catalogs", () => {
  const catalogs = new Map(SIZES.map((n) => [n, generateCatalog(n)]));
  const kindsOf = (n: number) => Object.values(catalogs.get(n)!.services).map((s) => s.kind);

  test.each(SIZES)("the %i-service catalog passes the real blueprint schema with that many services", (n) => {
    const bp = parseBlueprint(structuredClone(catalogs.get(n)!), `catalog-${n}`);
    expect(Object.keys(bp.services)).toHaveLength(n);
  });

  test("web services are capped, so 100 services stay inside the ALB rule and target group quotas", () => {
    expect(kindsOf(100).filter((k) => k === "web")).toHaveLength(MAX_WEB_SERVICES);
    const usage = albUsage(catalogs.get(100)!);
    expect(usage.rules).toBeLessThanOrEqual(ALB_QUOTAS.rulesPerAlb);
    expect(usage.targetGroups).toBeLessThanOrEqual(ALB_QUOTAS.targetGroupsPerAlb);
  });

  test("a blue/green web service takes two listener rules and two target groups", () => {
    expect(albUsage(catalogs.get(30)!)).toEqual({ rules: 6, targetGroups: 6 });
  });

  test("the catalog is mostly backend, worker and scheduled services, all three present from 10 services", () => {
    const kinds = kindsOf(100);
    expect(kinds.filter((k) => k !== "web").length).toBeGreaterThanOrEqual(90);
    for (const kind of ["backend", "worker", "scheduled"]) expect(kindsOf(10)).toContain(kind);
  });

  test("the smallest catalog has one web service in front of a backend and a worker", () => {
    expect(catalogKinds(3)).toEqual(["web", "backend", "worker"]);
  });

  test("every web service has its own ALB path", () => {
    const paths = Object.values(catalogs.get(100)!.services).flatMap((s) => s.paths ?? []);
    expect(paths).toHaveLength(MAX_WEB_SERVICES);
    expect(new Set(paths).size).toBe(paths.length);
  });

  test("services call the next service unless either one is a scheduled job", () => {
    const entries = Object.entries(catalogs.get(10)!.services);
    entries.forEach(([, svc], i) => {
      const next = entries[i + 1];
      const expected =
        svc.kind !== "scheduled" && next !== undefined && next[1].kind !== "scheduled"
          ? [next[0]]
          : undefined;
      expect(svc.calls).toEqual(expected);
    });
  });

  test("the YAML catalog loads through BLUEPRINT=<file> like the benchmark feeds it", () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-test-"));
    try {
      const file = join(dir, "catalog-10.yaml");
      writeFileSync(file, catalogYaml(10));
      const config = loadConfig({ BLUEPRINT: file });
      expect(config.name).toBe("bench");
      expect(Object.keys(config.services)).toHaveLength(10);
      expect(config.source).toBe(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("fails when the catalog size is not a positive whole number", () => {
    expect(() => generateCatalog(0)).toThrow(/catalog size 0 is not allowed/);
    expect(() => catalogKinds(2.5)).toThrow(/catalog size 2.5 is not allowed/);
  });
});

describe("statistics", () => {
  test("median of an odd number of runs is the middle value of the sorted runs", () => {
    expect(median([3, 1, 2])).toBe(2);
  });

  test("median of an even number of runs is the mean of the two middle values", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  test("fails when a scenario has no runs", () => {
    expect(() => median([])).toThrow(/median of no values/);
  });

  test("a summary keeps the median wall and CPU time but the highest peak memory of any run", () => {
    const s = summarize(
      "x",
      [
        { seconds: 2, maxRssKiB: 100, cpuSeconds: 1 },
        { seconds: 1, maxRssKiB: 300, cpuSeconds: 3 },
        { seconds: 9, maxRssKiB: 200, cpuSeconds: 2 },
      ],
      { services: 3, resources: 42 },
    );
    expect(s).toEqual({
      label: "x",
      runs: 3,
      seconds: 2,
      cpuSeconds: 2,
      maxRssKiB: 300,
      services: 3,
      resources: 42,
    });
  });

  test("cost per added service divides the time difference by the service difference", () => {
    const small = summary(2, 3);
    const large = summary(11.7, 100);
    expect(perServiceCost(small, large)).toBeCloseTo(0.1, 10);
  });

  test("fails when the catalogs do not grow", () => {
    expect(() => perServiceCost(summary(2, 100), summary(3, 3))).toThrow(/growing service counts/);
    expect(() => perServiceCost(summary(2), summary(3, 3))).toThrow(/growing service counts/);
  });
});

function summary(seconds: number, services?: number, maxRssKiB = 200 * 1024): Summary {
  return {
    label: services === undefined ? "x" : `catalog of ${services} services`,
    runs: 5,
    seconds,
    cpuSeconds: seconds / 2,
    maxRssKiB,
    services,
    resources: 10,
  };
}

function report(edit: Partial<BenchReport> = {}): BenchReport {
  return {
    date: "2026-11-21T14:00:00Z",
    runtime: "cdktf",
    machine: { nproc: 2, node: "v20.20.2", cpu: "test cpu" },
    appCommand: "node dist/main.js",
    floor: summary(0.5),
    defaultBlueprint: summary(1.5),
    catalogs: [summary(1.2, 3), summary(1.4, 10), summary(2, 30), summary(2.4, 100)],
    ...edit,
  };
}

describe("budgets", () => {
  const statusOf = (r: BenchReport, name: RegExp) =>
    evaluateBudgets(r).find((b) => name.test(b.name))?.status;

  test("a report within every budget passes all measured budgets; npm test is not measured by default", () => {
    expect(evaluateBudgets(report()).map((b) => b.status)).toEqual([
      "pass",
      "pass",
      "pass",
      "pass",
      "not measured",
    ]);
    expect(failedBudgets(evaluateBudgets(report()))).toEqual([]);
  });

  test("each measured budget states its margin to the limit", () => {
    expect(evaluateBudgets(report()).map((b) => b.margin)).toEqual([
      "0 % left",
      "20 % left",
      "80 % left",
      "51 % left",
      "–",
    ]);
    expect(margin(3.3, 3)).toBe("10 % over");
  });

  test("the app command for the default blueprint fails its budget above 3x the floor", () => {
    expect(statusOf(report({ defaultBlueprint: summary(1.51) }), /vs floor/)).toBe("fail");
    expect(statusOf(report({ defaultBlueprint: summary(1.5) }), /vs floor/)).toBe("pass");
  });

  test("100 services fail their budget above 3 s", () => {
    const slow = report({ catalogs: [summary(2.9, 3), summary(3.1, 100)] });
    expect(statusOf(slow, /100-service synth time/)).toBe("fail");
  });

  test("a 100-service synth fails its budget at 1 GiB peak memory", () => {
    const heavy = report({ catalogs: [summary(1, 3), summary(2, 100, BUDGETS.largeMaxRssKiB)] });
    expect(statusOf(heavy, /peak memory/)).toBe("fail");
  });

  test("an added service fails its budget above 25 ms", () => {
    const steep = report({ catalogs: [summary(0.2, 3), summary(2.7, 100)] });
    expect(statusOf(steep, /per added service/)).toBe("fail");
  });

  test("growth and memory budgets are not measured without the 3- and 100-service catalogs", () => {
    const results = evaluateBudgets(report({ catalogs: [] }));
    expect(results.slice(1, 4).map((b) => b.status)).toEqual([
      "not measured",
      "not measured",
      "not measured",
    ]);
  });

  test("npm test fails its budget when slower than 90 s or red", () => {
    const slow = report({ npmTest: { ...summary(91), exitCode: 0 } });
    const red = report({ npmTest: { ...summary(30), exitCode: 1 } });
    const good = report({ npmTest: { ...summary(30), exitCode: 0 } });
    expect(statusOf(slow, /npm test/)).toBe("fail");
    expect(statusOf(red, /npm test/)).toBe("fail");
    expect(evaluateBudgets(red)[4].actual).toBe("30.00 s (CPU 15.00 s) (exit 1)");
    expect(statusOf(good, /npm test/)).toBe("pass");
  });

  test("failedBudgets lists only the failed ones", () => {
    const failed = failedBudgets(evaluateBudgets(report({ defaultBlueprint: summary(5) })));
    expect(failed.map((b) => b.name)).toEqual(["app command, default blueprint, vs floor"]);
  });
});

describe("the Markdown section of a runtime", () => {
  const markdown = renderSection(report());

  test("shows each scenario with its time, ratio to the floor, CPU time and peak memory", () => {
    expect(markdown).toContain("| x | – | 10 | 1.50 s | 3.00× | 0.75 s | 200 MiB | 5 |");
    expect(markdown).toContain(
      "| catalog of 100 services | 100 | 10 | 2.40 s | 4.80× | 1.20 s | 200 MiB | 5 |",
    );
  });

  test("states the cost per added service between 3 and 100 services", () => {
    expect(markdown).toContain("Cost per added service: 12 ms ((t100 − t3) / 97).");
  });

  test("lists the budgets with their margin and status", () => {
    expect(markdown).toContain(
      "| app command, default blueprint, vs floor | ≤ 3× floor | 3.00× | 0 % left | pass |",
    );
  });

  test("names the runtime, the date, the machine and the app command", () => {
    expect(markdown).toContain("### cdktf");
    expect(markdown).toContain("date: 2026-11-21T14:00:00Z");
    expect(markdown).toContain("2 CPUs (test cpu), Node.js v20.20.2");
    expect(renderSection(report({ machine: { ...report().machine, load: 6.14 } }))).toContain(
      "Node.js v20.20.2; load average 6.1 at the start",
    );
    expect(markdown).toContain("`node dist/main.js` with `CDK_RUNTIME=cdktf`");
  });

  test("leaves out the per-service cost when the catalogs were not measured", () => {
    expect(renderSection(report({ catalogs: [] }))).not.toContain("Cost per added service");
  });

  test("replaces its own section of the page and keeps the rest, or appends it", () => {
    const page = `# Bench\n\nintro\n\n${renderSection(report({ runtime: "cdktn" }))}\n\n${markdown}\n\n## Levers\n`;
    const updated = spliceSection(page, "cdktf", renderSection(report({ date: "2027-01-01T00:00:00Z" })));
    expect(updated).toContain("2027-01-01T00:00:00Z");
    expect(updated).not.toContain(
      "date: 2026-11-21T14:00:00Z; machine: 2 CPUs (test cpu), Node.js v20.20.2\n- app command (cdktf.json `app`): `node dist/main.js` with `CDK_RUNTIME=cdktf`",
    );
    expect(updated).toContain("### cdktn");
    expect(updated).toContain("## Levers");
    expect(spliceSection("# Bench\n", "cdktf", "S")).toBe("# Bench\n\nS\n");
  });
});

describe("measuring child processes", () => {
  test("parses GNU time's elapsed seconds, peak RSS and user + system CPU seconds", () => {
    expect(parseTimeOutput("1.23 45678 0.90 0.10\n")).toEqual({
      seconds: 1.23,
      maxRssKiB: 45678,
      cpuSeconds: 1,
    });
  });

  test("parses the last line when GNU time reports a non-zero exit first", () => {
    expect(parseTimeOutput("Command exited with non-zero status 1\n0.05 3000 0.01 0.02\n")).toEqual({
      seconds: 0.05,
      maxRssKiB: 3000,
      cpuSeconds: 0.03,
    });
  });

  test("fails when GNU time's output is not elapsed, RSS, user and system time", () => {
    expect(() => parseTimeOutput("garbage")).toThrow(/unexpected GNU time output/);
    expect(() => parseTimeOutput("1.23 45678")).toThrow(/unexpected GNU time output/);
  });

  test("the synth environment is the one cdktf synth gives the app command", () => {
    const env = synthEnv({ PATH: "/bin", TF_VAR_x: "1", BLUEPRINT: "fraud" }, "/tmp/out");
    expect(env).toEqual({
      PATH: "/bin",
      NODE_OPTIONS: "--max-old-space-size=4096",
      CDKTF_OUTDIR: "/tmp/out",
      CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true",
      CDKTF_CONTEXT_JSON: JSON.stringify({ cdktfRelativeModules: [] }),
      SYNTH_HCL_OUTPUT: "false",
    });
  });

  test("the synth environment keeps NODE_OPTIONS and sets the blueprint when one is given", () => {
    const env = synthEnv({ NODE_OPTIONS: "--max-old-space-size=1024" }, "/tmp/out", "/tmp/catalog.yaml");
    expect(env.NODE_OPTIONS).toBe("--max-old-space-size=1024");
    expect(env.BLUEPRINT).toBe("/tmp/catalog.yaml");
  });

  test("a successful run reports a time and a peak memory", () => {
    const sample = timedRun("true", { PATH: process.env.PATH });
    expect(sample.seconds).toBeGreaterThan(0);
    expect(sample.maxRssKiB).toBeGreaterThan(0);
    expect(sample.cpuSeconds).toBeGreaterThanOrEqual(0);
  });

  test("fails when the command exits non-zero, with its output", () => {
    expect(() => timedRun("echo broken >&2; exit 3", { PATH: process.env.PATH })).toThrow(
      /exited with 3:\nbroken/,
    );
  });
});

describe("verifying a synth output", () => {
  let dir: string;
  const write = (stacks: Record<string, { tf: object; annotations?: object[] }>) => {
    dir = mkdtempSync(join(tmpdir(), "bench-out-"));
    const manifest: Record<string, object> = {};
    for (const [id, { tf, annotations }] of Object.entries(stacks)) {
      mkdirSync(join(dir, "stacks", id), { recursive: true });
      writeFileSync(join(dir, "stacks", id, "cdk.tf.json"), JSON.stringify(tf));
      manifest[id] = { synthesizedStackPath: `stacks/${id}/cdk.tf.json`, annotations: annotations ?? [] };
    }
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ stacks: manifest }));
  };
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("counts resources and data sources over the expected stacks", () => {
    write({
      a: { tf: { resource: { aws_vpc: { v: {} }, aws_subnet: { s1: {}, s2: {} } } } },
      b: { tf: { data: { aws_iam_policy_document: { p: {} } } } },
    });
    expect(verifySynthOutput(dir, ["a", "b"])).toBe(4);
  });

  test("fails when an expected stack is missing", () => {
    write({ a: { tf: {} } });
    expect(() => verifySynthOutput(dir, ["a", "platform"])).toThrow(/stack platform is missing/);
  });

  test("fails when a stack carries an error annotation", () => {
    write({ a: { tf: {}, annotations: [{ level: "@cdktf/error", message: "GR-1 bad" }] } });
    expect(() => verifySynthOutput(dir, ["a"])).toThrow(/stack a has error annotations:\n {2}GR-1 bad/);
  });

  test("fails when the app did not call synth()", () => {
    dir = mkdtempSync(join(tmpdir(), "bench-out-"));
    expect(() => verifySynthOutput(dir, ["a"])).toThrow(/did not call synth/);
  });
});

describe("bench command line", () => {
  test("defaults: 5 runs, write docs/benchmark.md, no check, no tests", () => {
    expect(parseArgs([])).toEqual({
      check: false,
      withTests: false,
      write: true,
      runs: 5,
      out: "docs/benchmark.md",
    });
  });

  test("reads every option", () => {
    expect(parseArgs(["--check", "--with-tests", "--no-write", "--runs", "7", "--out", "x.md"])).toEqual({
      check: true,
      withTests: true,
      write: false,
      runs: 7,
      out: "x.md",
    });
  });

  test("fails when an option is unknown or a value is missing or invalid", () => {
    expect(() => parseArgs(["--fast"])).toThrow(/unknown option --fast/);
    expect(() => parseArgs(["--runs"])).toThrow(/--runs needs a value/);
    expect(() => parseArgs(["--runs", "0"])).toThrow(/--runs 0: use a whole number/);
  });

  test("the 100-service catalog runs at most 3 times, the others as asked", () => {
    expect(runsFor(100, 5)).toBe(3);
    expect(runsFor(100, 1)).toBe(1);
    expect(runsFor(30, 5)).toBe(5);
    expect(runsFor(undefined, 5)).toBe(5);
  });
});

describe("interleaved measurement", () => {
  test("runs scenarios round by round, each exactly its number of runs", () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-rounds-"));
    try {
      const log = join(dir, "log");
      const [a, b] = measureInterleaved([
        { label: "a", command: `echo a >> ${log}`, runs: 3 },
        { label: "b", command: `echo b >> ${log}`, runs: 1 },
      ]);
      expect(readFileSync(log, "utf8").split("\n").join("")).toBe("abaa");
      expect([a.runs, b.runs]).toEqual([3, 1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
