/**
 * `npm run cost [-- --markdown]`: a monthly estimate of what the environment (BLUEPRINT,
 * ENVIRONMENT_SUFFIX) costs, per line item, idle (every service at 0 tasks: the first deploy
 * before any release) and at its desired task counts. Resource counts come from the stacks as
 * Terraform would receive them (built in memory, nothing written); prices from
 * scripts/cost/prices.json, which names the source and date of each. A price we could not
 * source is null: its line is listed as "no price", never guessed, and a total that leaves such
 * lines out is printed as a lower bound naming how many.
 * Not estimated: traffic (LCU-hours, NAT and endpoint data, logs ingestion), storage, requests.
 */
import { App, TerraformStack } from "cdktf";
import type { PlatformConfig } from "../config";
import { buildPlatformApp } from "../stacks/app";
import prices from "./cost/prices.json";
import { COMMON_USAGE, loadEnvironment, OperatorEnvironment, parseArgs } from "./operator/environment";

type PriceKey = keyof (typeof prices.regions)["us-east-1"];
interface Price {
  readonly usd: number | null;
  readonly source: string;
}

export interface CostLine {
  readonly item: string;
  readonly quantity: string;
  /** Monthly USD when idle and at desired counts; null when the price is unknown. */
  readonly idle: number | null;
  readonly desired: number | null;
  readonly price: PriceKey;
}

const HOURS = prices.hoursPerMonth;

type StackJson = { resource?: Record<string, Record<string, Record<string, unknown>>> };

/**
 * Counts of the resources in synthesized stacks, by Terraform type; interface endpoints only for
 * `aws_vpc_endpoint` (the S3 gateway endpoint is free), internet-facing ones only for `aws_lb`
 * under `aws_lb#public` (each holds a public IPv4 address per AZ).
 */
export function countResources(stacks: readonly StackJson[]): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (type: string, n: number) => counts.set(type, (counts.get(type) ?? 0) + n);
  for (const stack of stacks) {
    for (const [type, blocks] of Object.entries(stack.resource ?? {})) {
      const all = Object.values(blocks);
      add(
        type,
        type === "aws_vpc_endpoint"
          ? all.filter((b) => b.vpc_endpoint_type === "Interface").length
          : all.length,
      );
      if (type === "aws_lb") add("aws_lb#public", all.filter((b) => b.internal !== true).length);
      if (type === "aws_cloudwatch_metric_alarm")
        // CloudWatch bills an alarm per metric it evaluates: a metric-math alarm once per metric
        // in its expression (https://aws.amazon.com/cloudwatch/pricing/, "Alarms").
        add(
          "aws_cloudwatch_metric_alarm#metrics",
          all.reduce((n, b) => n + alarmMetrics(b), 0),
        );
    }
  }
  return counts;
}

/** The metrics an alarm is billed for: those of its metric queries, else its one metric. */
function alarmMetrics(alarm: Record<string, unknown>): number {
  const queries = alarm.metric_query as { metric?: unknown }[] | undefined;
  if (!Array.isArray(queries) || queries.length === 0) return 1;
  return Math.max(1, queries.filter((q) => q.metric !== undefined).length);
}

/** Counts of the resources the environment's stacks declare (the state stack is shared: left out). */
export function resourceCounts(config: PlatformConfig): Map<string, number> {
  const app = new App({ outdir: "cdktf.out/cost", skipValidation: true });
  buildPlatformApp(app, config, { guardrailLog: () => undefined });
  const stacks = app.node.children.filter(
    (c): c is TerraformStack => TerraformStack.isStack(c) && c.node.id !== "state",
  );
  return countResources(stacks.map((s) => s.toTerraform() as StackJson));
}

/** vCPU and GB of one service's tasks on FARGATE and FARGATE_SPOT at `tasks` tasks. */
export function fargateSplit(config: PlatformConfig, tasks: number, cpu: number, memoryMiB: number) {
  const strategy = config.cluster.capacityProviderStrategy;
  const base = strategy.find((s) => s.base > 0);
  let onDemand = Math.min(tasks, base?.provider === "FARGATE" ? base.base : 0);
  let spot = Math.min(tasks, base?.provider === "FARGATE_SPOT" ? base.base : 0);
  const rest = tasks - onDemand - spot;
  const weight = (p: string) => strategy.find((s) => s.provider === p)?.weight ?? 0;
  const total = weight("FARGATE") + weight("FARGATE_SPOT");
  onDemand += (rest * weight("FARGATE")) / total;
  spot += (rest * weight("FARGATE_SPOT")) / total;
  const vcpu = cpu / 1024;
  const gb = memoryMiB / 1024;
  return {
    onDemandVcpu: onDemand * vcpu,
    onDemandGb: onDemand * gb,
    spotVcpu: spot * vcpu,
    spotGb: spot * gb,
  };
}

export function estimate(config: PlatformConfig, counts: ReadonlyMap<string, number>): CostLine[] {
  const region = (prices.regions as Record<string, Record<PriceKey, Price>>)[config.region];
  if (!region)
    throw new Error(
      `region ${config.region}: no price table in scripts/cost/prices.json (${Object.keys(prices.regions).join(", ")}); add one with its sources`,
    );
  const price = (key: PriceKey) => region[key].usd;
  const times = (key: PriceKey, n: number) => (price(key) === null ? null : (price(key) as number) * n);
  const count = (type: string) => counts.get(type) ?? 0;
  const lines: CostLine[] = [];
  const always = (item: string, quantity: string, key: PriceKey, monthly: number | null) =>
    lines.push({ item, quantity, idle: monthly, desired: monthly, price: key });

  const nat = count("aws_nat_gateway");
  always("NAT gateways", `${nat} x ${HOURS} h`, "natGatewayHour", times("natGatewayHour", nat * HOURS));
  const eips = count("aws_eip");
  always(
    "Elastic IPs (NAT)",
    `${eips} x ${HOURS} h`,
    "publicIpv4Hour",
    times("publicIpv4Hour", eips * HOURS),
  );
  const albs = count("aws_lb");
  if (albs > 0)
    always(
      "Application Load Balancer",
      `${albs} x ${HOURS} h (LCUs extra)`,
      "albHour",
      times("albHour", albs * HOURS),
    );
  const azs = config.network.azCount;
  const publicAlbs = count("aws_lb#public");
  if (publicAlbs > 0)
    // An internet-facing load balancer holds a public IPv4 address in each of its AZs.
    always(
      "Public IPv4 (load balancer)",
      `${publicAlbs} x ${azs} AZ x ${HOURS} h`,
      "publicIpv4Hour",
      times("publicIpv4Hour", publicAlbs * azs * HOURS),
    );
  const endpoints = count("aws_vpc_endpoint");
  // An interface endpoint is billed per AZ it has a network interface in: one per AZ's subnet.
  if (endpoints > 0)
    always(
      "Interface endpoints",
      `${endpoints} x ${azs} AZ x ${HOURS} h`,
      "interfaceEndpointHour",
      times("interfaceEndpointHour", endpoints * azs * HOURS),
    );

  let desired = { onDemandVcpu: 0, onDemandGb: 0, spotVcpu: 0, spotGb: 0 };
  let taskCount = 0;
  for (const svc of Object.values(config.services)) {
    if (svc.kind === "scheduled") continue; // runs only while its schedule fires
    taskCount += svc.desiredCount;
    const s = fargateSplit(config, svc.desiredCount, svc.cpu, svc.memory);
    desired = {
      onDemandVcpu: desired.onDemandVcpu + s.onDemandVcpu,
      onDemandGb: desired.onDemandGb + s.onDemandGb,
      spotVcpu: desired.spotVcpu + s.spotVcpu,
      spotGb: desired.spotGb + s.spotGb,
    };
  }
  const fargate = (item: string, qty: number, unit: string, key: PriceKey) =>
    lines.push({
      item,
      quantity: `${qty.toFixed(2)} ${unit} x ${HOURS} h`,
      idle: 0,
      desired: times(key, qty * HOURS),
      price: key,
    });
  fargate(`Fargate vCPU (${taskCount} tasks)`, desired.onDemandVcpu, "vCPU", "fargateVcpuHour");
  fargate("Fargate memory", desired.onDemandGb, "GB", "fargateGbHour");
  if (desired.spotVcpu > 0) {
    fargate("Fargate Spot vCPU", desired.spotVcpu, "vCPU", "fargateSpotVcpuHour");
    fargate("Fargate Spot memory", desired.spotGb, "GB", "fargateSpotGbHour");
  }

  if (config.database?.mode === "serverless-v2") {
    const acu = config.database.minCapacity;
    always(
      "Aurora Serverless v2 (minimum capacity)",
      `${acu} ACU x ${HOURS} h (storage, I/O extra)`,
      "auroraServerlessV2AcuHour",
      times("auroraServerlessV2AcuHour", acu * HOURS),
    );
  }
  const cas = count("aws_acmpca_certificate_authority");
  if (cas > 0)
    always(
      "Private CA (short-lived mode)",
      `${cas}`,
      "privateCaShortLivedMonth",
      times("privateCaShortLivedMonth", cas),
    );
  const keys = count("aws_kms_key");
  always("KMS keys", `${keys}`, "kmsKeyMonth", times("kmsKeyMonth", keys));
  const dashboards = count("aws_cloudwatch_dashboard");
  always(
    "CloudWatch dashboards",
    `${dashboards} (the account's first 3 are free)`,
    "dashboardMonth",
    times("dashboardMonth", dashboards),
  );
  const alarms = count("aws_cloudwatch_metric_alarm");
  const alarmMetricCount = count("aws_cloudwatch_metric_alarm#metrics");
  always(
    "CloudWatch metric alarms",
    `${alarms} alarms, ${alarmMetricCount} metrics`,
    "metricAlarmMonth",
    times("metricAlarmMonth", alarmMetricCount),
  );
  const composites = count("aws_cloudwatch_composite_alarm");
  if (composites > 0)
    always(
      "CloudWatch composite alarms",
      `${composites}`,
      "compositeAlarmMonth",
      times("compositeAlarmMonth", composites),
    );
  always(
    `Container Insights (${config.cluster.containerInsights})`,
    "per metric/observation",
    "containerInsightsMonth",
    null,
  );
  return lines;
}

const usd = (n: number | null) => (n === null ? "no price" : `$${n.toFixed(2)}`);
const sum = (lines: readonly CostLine[], k: "idle" | "desired") => lines.reduce((t, l) => t + (l[k] ?? 0), 0);

/**
 * A column's total, or, when any of its lines has no price, a lower bound saying how many: a
 * sum that leaves lines out must not read as what the environment costs.
 */
export function totalCell(lines: readonly CostLine[], k: "idle" | "desired"): string {
  const missing = lines.filter((l) => l[k] === null).length;
  const total = usd(sum(lines, k));
  return missing === 0
    ? total
    : `>= ${total} (lower bound, ${missing} item${missing === 1 ? "" : "s"} unpriced)`;
}

/** The estimate as a table (text, or Markdown for the README). */
export function formatEstimate(
  target: OperatorEnvironment,
  lines: readonly CostLine[],
  markdown = false,
): string {
  const unpriced = lines.filter((l) => l.desired === null).map((l) => l.item);
  const unpricedIdle = lines.filter((l) => l.idle === null).length;
  const rows = [
    ["line item", "quantity", "idle / month", "desired / month"],
    ...lines.map((l) => [l.item, l.quantity, usd(l.idle), usd(l.desired)]),
    [
      unpricedIdle + unpriced.length === 0 ? "total" : "total (priced lines only)",
      "",
      totalCell(lines, "idle"),
      totalCell(lines, "desired"),
    ],
  ];
  const title = `cost: blueprint ${target.config.name}, region ${target.config.region}, prices of ${prices.read} (scripts/cost/prices.json)`;
  const notes = [
    ...(unpriced.length > 0 ? [`no price (not in the totals): ${unpriced.join(", ")}`] : []),
    "not estimated: traffic (ALB LCUs, NAT and endpoint data, logs ingestion), storage, requests, scheduled jobs' run time",
  ];
  if (markdown) {
    const md = (r: string[]) => `| ${r.join(" | ")} |`;
    return [
      `**${target.config.name}** (${target.config.region})`,
      "",
      md(rows[0]),
      md(rows[0].map(() => "---")),
      ...rows.slice(1).map(md),
      "",
      ...notes.map((n) => `${n}.`),
    ].join("\n");
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => (i >= 2 ? v.padStart(widths[i]) : v.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [title, ...rows.map(line), ...notes].join("\n");
}

export function main(argv: readonly string[], print: (text: string) => void = console.log): number {
  let target: OperatorEnvironment;
  let markdown: boolean;
  try {
    const args = parseArgs(argv, { switches: ["--markdown"] });
    if (args.positional.length > 0) throw new Error(`unexpected argument ${args.positional[0]}`);
    markdown = args.switches.has("--markdown");
    target = loadEnvironment(args.common);
    print(formatEstimate(target, estimate(target.config, resourceCounts(target.config)), markdown));
    return 0;
  } catch (error) {
    print(`${(error as Error).message}\nusage: npm run cost -- [--markdown] ${COMMON_USAGE}`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
