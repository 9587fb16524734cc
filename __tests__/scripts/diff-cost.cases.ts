/**
 * `npm run diff`: one synth, then one `cdktf diff <stack> --skip-synth` per stack (the CLI refuses
 * a diff without a stack name when there are several), and the login help on a credentials
 * failure. `npm run cost`: line items from the stacks' resources and the region's price table.
 */
import prices from "../../scripts/cost/prices.json";
import { countResources, estimate, fargateSplit, formatEstimate, totalCell } from "../../scripts/cost";
import type { PlatformConfig } from "../../config";
import type { CommandResult } from "../../scripts/destroy";
import { diffStacks, main as diffMain, runDiff } from "../../scripts/diff";
import { loadEnvironment } from "../../scripts/operator/environment";

const target = loadEnvironment({}, { BLUEPRINT: "trading", ENVIRONMENT_SUFFIX: "dev" });

function fakeCli(results: Record<string, Partial<CommandResult>> = {}) {
  const started: string[] = [];
  const lines: string[] = [];
  const deps = {
    start: (argv: readonly string[]) => {
      const command = argv.slice(2).join(" ");
      started.push(argv.join(" "));
      return {
        done: Promise.resolve({ code: 0, signal: null, tail: "", ...results[command] }),
        signal: () => undefined,
      };
    },
    log: (line: string) => lines.push(line),
  };
  return { deps, started, lines };
}

describe("npm run diff", () => {
  test("synthesizes once, then diffs every stack of the environment in deploy order", async () => {
    const { deps, started } = fakeCli();
    expect(await runDiff(target, diffStacks([]), deps, {})).toBe(0);
    expect(started).toEqual([
      "npx cdktf synth",
      "npx cdktf diff network --skip-synth",
      "npx cdktf diff registry --skip-synth",
      "npx cdktf diff platform --skip-synth",
      "npx cdktf diff observability --skip-synth",
    ]);
  });

  test("diffs only the named stacks, on the runtime CDK_RUNTIME selects", async () => {
    const { deps, started } = fakeCli();
    await runDiff(target, diffStacks(["platform"]), deps, { CDK_RUNTIME: "cdktn" });
    expect(started).toEqual(["npx cdktn synth", "npx cdktn diff platform --skip-synth"]);
  });

  test("a credentials failure stops there and ends with what was expected and how to log in", async () => {
    const noCredentials = {
      code: 1,
      tail: "Error: No valid credential sources found\n  Please see https://www.terraform.io/docs/language/settings/backends/s3.html",
    };
    const { deps, started, lines } = fakeCli({
      "diff network --skip-synth": noCredentials,
      "diff platform --skip-synth": noCredentials,
    });
    expect(await runDiff(target, diffStacks([]), deps, {})).toBe(1);
    expect(started).toEqual(["npx cdktf synth", "npx cdktf diff network --skip-synth"]);
    const out = lines.join("\n");
    expect(out).toMatch(/diff: failed for network \(exit 1: Error: No valid credential sources found\)$/m);
    expect(out).toContain("diff: not diffed: registry, platform, observability (same credentials)");
    expect(out).toContain("s3://tfstate-trading-platform/trading/dev/<stack>.tfstate (region us-east-1)");
    expect(out).toContain("aws sso login --profile <profile>");
  });

  test("a stack whose dependency has no state says which stack to deploy first", async () => {
    const { deps, started, lines } = fakeCli({
      "diff platform --skip-synth": {
        code: 1,
        tail: [
          "│ Error: Unable to find remote state",
          "│   with data.terraform_remote_state.cross-stack-reference-input-network,",
          "│ No stored state was found for the given workspace in the given backend.",
        ].join("\n"),
      },
    });
    expect(await runDiff(target, diffStacks([]), deps, {})).toBe(1);
    expect(started).toHaveLength(5);
    expect(lines).toContain(
      "diff: network has no state yet: deploy it first (npm run deploy, or npx cdktf deploy network)",
    );
  });

  test("a failed synth diffs nothing", async () => {
    const { deps, started } = fakeCli({ synth: { code: 1, tail: "Error: invalid blueprint" } });
    expect(await runDiff(target, diffStacks([]), deps, {})).toBe(1);
    expect(started).toEqual(["npx cdktf synth"]);
  });

  test("an unknown stack is a usage error naming the stacks", async () => {
    const { deps, lines } = fakeCli();
    expect(await diffMain(["plaform"], deps)).toBe(2);
    expect(lines[0]).toMatch(
      /stack "plaform" is not a stack \(network, registry, platform, observability, state\)/,
    );
  });
});

describe("npm run cost", () => {
  const counts = new Map([
    ["aws_nat_gateway", 3],
    ["aws_eip", 3],
    ["aws_lb", 1],
    ["aws_kms_key", 3],
    ["aws_cloudwatch_dashboard", 4],
    ["aws_cloudwatch_metric_alarm", 20],
    ["aws_cloudwatch_composite_alarm", 2],
    ["aws_acmpca_certificate_authority", 1],
  ]);
  const usEast = prices.regions["us-east-1"];

  test("prices each line from the region's table; idle costs no Fargate", () => {
    const lines = estimate(target.config, counts);
    const line = (item: string) => lines.find((l) => l.item.startsWith(item));
    expect(line("NAT gateways")).toMatchObject({
      idle: 3 * 730 * usEast.natGatewayHour.usd!,
      desired: 3 * 730 * usEast.natGatewayHour.usd!,
    });
    expect(line("Private CA")).toMatchObject({ idle: 50 });
    expect(line("CloudWatch composite alarms")).toMatchObject({ idle: 2 * usEast.compositeAlarmMonth.usd! });
    expect(line("Fargate vCPU")?.idle).toBe(0);
    const tasks = Object.values(target.config.services).filter((s) => s.kind !== "scheduled");
    const vcpu = tasks.reduce(
      (t, s) => t + fargateSplit(target.config, s.desiredCount, s.cpu, s.memory).onDemandVcpu,
      0,
    );
    expect(line("Fargate vCPU")?.desired).toBeCloseTo(vcpu * 730 * usEast.fargateVcpuHour.usd!, 6);
  });

  test("counts resources across stacks: interface endpoints only, internet-facing load balancers apart", () => {
    const counts = countResources([
      {
        resource: {
          aws_nat_gateway: { a: {}, b: {} },
          aws_vpc_endpoint: { s3: { vpc_endpoint_type: "Gateway" }, ecr: { vpc_endpoint_type: "Interface" } },
        },
      },
      {
        resource: {
          aws_nat_gateway: { c: {} },
          aws_lb: { alb: { internal: false }, inner: { internal: true } },
        },
      },
    ]);
    expect(Object.fromEntries(counts)).toEqual({
      aws_nat_gateway: 3,
      aws_vpc_endpoint: 1,
      aws_lb: 2,
      "aws_lb#public": 1,
    });
    const lines = estimate(target.config, counts);
    expect(lines.find((l) => l.item === "Public IPv4 (load balancer)")).toMatchObject({
      quantity: "1 x 3 AZ x 730 h",
      idle: 3 * 730 * usEast.publicIpv4Hour.usd!,
    });
    expect(lines.find((l) => l.item === "Interface endpoints")?.quantity).toBe("1 x 3 AZ x 730 h");
  });

  test("public IPv4 and interface endpoints follow network.azCount", () => {
    const config = {
      ...target.config,
      network: { ...target.config.network, azCount: 2 },
    } as unknown as PlatformConfig;
    const lines = estimate(
      config,
      new Map([
        ["aws_lb#public", 1],
        ["aws_lb", 1],
        ["aws_vpc_endpoint", 4],
      ]),
    );
    expect(lines.find((l) => l.item === "Public IPv4 (load balancer)")?.idle).toBeCloseTo(
      2 * 730 * usEast.publicIpv4Hour.usd!,
      6,
    );
    expect(lines.find((l) => l.item === "Interface endpoints")?.quantity).toBe("4 x 2 AZ x 730 h");
  });

  test("a metric-math alarm is billed per metric of its expression", () => {
    const counts = countResources([
      {
        resource: {
          aws_cloudwatch_metric_alarm: {
            simple: { metric_name: "CPUUtilization" },
            ratio: {
              metric_query: [
                { id: "e", expression: "100*a/b" },
                { id: "a", metric: {} },
                { id: "b", metric: {} },
              ],
            },
          },
        },
      },
    ]);
    expect(counts.get("aws_cloudwatch_metric_alarm#metrics")).toBe(3);
    const line = estimate(target.config, counts).find((l) => l.item === "CloudWatch metric alarms");
    expect(line).toMatchObject({ quantity: "2 alarms, 3 metrics", idle: 3 * usEast.metricAlarmMonth.usd! });
  });

  test("splits tasks between FARGATE and FARGATE_SPOT by the strategy's base and weights", () => {
    const config = {
      ...target.config,
      cluster: {
        ...target.config.cluster,
        capacityProviderStrategy: [
          { provider: "FARGATE" as const, base: 1, weight: 1 },
          { provider: "FARGATE_SPOT" as const, base: 0, weight: 3 },
        ],
      },
    };
    expect(fargateSplit(config, 5, 1024, 2048)).toEqual({
      onDemandVcpu: 2,
      onDemandGb: 4,
      spotVcpu: 3,
      spotGb: 6,
    });
  });

  test("a total that leaves unpriced lines out reads as a lower bound naming how many", () => {
    const line = (idle: number | null) => ({
      item: "x",
      quantity: "1",
      idle,
      desired: idle,
      price: "kmsKeyMonth" as const,
    });
    expect(totalCell([line(1), line(2)], "idle")).toBe("$3.00");
    expect(totalCell([line(1), line(null), line(null)], "desired")).toBe(
      ">= $1.00 (lower bound, 2 items unpriced)",
    );
    const fraud = loadEnvironment({}, { BLUEPRINT: "fraud" });
    expect(formatEstimate(fraud, estimate(fraud.config, counts))).toMatch(
      /^total \(priced lines only\)\s+>= \$\d+\.\d\d \(lower bound, \d+ items unpriced\)/m,
    );
  });

  test("a price the table does not have is listed as no price and left out of the totals", () => {
    const fraud = loadEnvironment({}, { BLUEPRINT: "fraud" });
    const lines = estimate(fraud.config, counts);
    expect(lines.find((l) => l.item === "NAT gateways")).toMatchObject({ idle: null });
    const text = formatEstimate(fraud, lines);
    expect(text).toMatch(/NAT gateways\s+3 x 730 h\s+no price\s+no price/);
    expect(text).toMatch(/no price \(not in the totals\): NAT gateways, /);
  });

  test("every price names its source", () => {
    for (const table of Object.values(prices.regions))
      for (const [key, price] of Object.entries(table))
        expect([key, price.source.length > 10]).toEqual([key, true]);
  });

  test("a region without a table is refused, naming the regions that have one", () => {
    const config = { ...target.config, region: "ap-south-1" as const };
    expect(() => estimate(config, counts)).toThrow(
      /region ap-south-1: no price table in scripts\/cost\/prices.json \(us-east-1, eu-central-1\)/,
    );
  });
});
