/**
 * `npm run status` and `npm run logs` against mocked AWS SDK clients: which names they ask AWS
 * about (the ones Terraform created), and what the operator sees.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  ListDeploymentsCommand,
} from "@aws-sdk/client-codedeploy";
import { DescribeServicesCommand, ECSClient, ListServiceDeploymentsCommand } from "@aws-sdk/client-ecs";
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { loadEnvironment } from "../../scripts/operator/environment";
import { main as logsMain, parseSince, streamLogs } from "../../scripts/logs";
import {
  alarmNames,
  AwsClients,
  formatStatus,
  main as statusMain,
  readStatus,
  SERVICE_ALARM_KEYS,
  ENVIRONMENT_ALARM_KEYS,
} from "../../scripts/status";
import { configFor, synthApp } from "../support/synth";

const target = loadEnvironment({}, { BLUEPRINT: "fraud", ENVIRONMENT_SUFFIX: "dev" });
const ecs = mockClient(ECSClient);
const codedeploy = mockClient(CodeDeployClient);
const elb = mockClient(ElasticLoadBalancingV2Client);
const cloudwatch = mockClient(CloudWatchClient);
const logs = mockClient(CloudWatchLogsClient);
const clients = (): AwsClients => ({
  ecs: new ECSClient({ region: "eu-central-1" }),
  codedeploy: new CodeDeployClient({ region: "eu-central-1" }),
  elb: new ElasticLoadBalancingV2Client({ region: "eu-central-1" }),
  cloudwatch: new CloudWatchClient({ region: "eu-central-1" }),
});
const TG =
  "arn:aws:elasticloadbalancing:eu-central-1:123456789012:targetgroup/tg-blue-fraud-api-1a2b-dev/abc";

describe("status", () => {
  beforeEach(() => {
    for (const m of [ecs, codedeploy, elb, cloudwatch]) m.reset();
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: "ecs-svc-fraud-api-dev",
          clusterArn: "arn:aws:ecs:eu-central-1:123456789012:cluster/ecs-cluster-fraud-dev",
          status: "ACTIVE",
          desiredCount: 2,
          runningCount: 1,
          pendingCount: 1,
          deploymentController: { type: "CODE_DEPLOY" },
          loadBalancers: [{ targetGroupArn: TG }],
        },
        {
          serviceName: "ecs-svc-fraud-worker-dev",
          clusterArn: "arn:aws:ecs:eu-central-1:123456789012:cluster/ecs-cluster-fraud-dev",
          status: "ACTIVE",
          desiredCount: 1,
          runningCount: 1,
          pendingCount: 0,
          deploymentController: { type: "ECS" },
          deployments: [{ rolloutState: "COMPLETED" }],
        },
      ],
    });
    // Oldest first: the order of ListDeployments is not documented; createTime decides.
    codedeploy.on(ListDeploymentsCommand).resolves({ deployments: ["d-OLD", "d-NEW"] });
    codedeploy.on(BatchGetDeploymentsCommand).resolves({
      deploymentsInfo: [
        {
          deploymentId: "d-OLD",
          status: "Succeeded",
          createTime: new Date(1_000),
          completeTime: new Date(2_000),
        },
        { deploymentId: "d-NEW", status: "InProgress", createTime: new Date(3_000) },
      ],
    });
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        { status: "SUCCESSFUL", createdAt: new Date(1_000) },
        { status: "ROLLBACK_SUCCESSFUL", createdAt: new Date(5_000) },
      ],
    });
    elb.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: "10.0.1.5" }, TargetHealth: { State: "healthy" } },
        {
          Target: { Id: "10.0.2.9" },
          TargetHealth: { State: "unhealthy", Reason: "Target.ResponseCodeMismatch" },
        },
      ],
    });
    // CloudWatch answers for the names asked; a prefix query would also return other environments'.
    cloudwatch.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames?: string[] }) => ({
      MetricAlarms: [
        "alarm-fraud-fraud-api-http-5xx-dev",
        "alarm-fraud-fraud-api-http-5xx-orders-dev",
        "alarm-fraud-database-cpu-dev",
      ]
        .filter((a) => input.AlarmNames?.includes(a))
        .map((AlarmName) => ({ AlarmName })),
    }));
  });

  test("asks ECS about the environment's cluster and services by their Terraform names", async () => {
    await readStatus(target, clients());
    expect(ecs.commandCalls(DescribeServicesCommand)[0].args[0].input).toEqual({
      cluster: "ecs-cluster-fraud-dev",
      services: Object.entries(target.config.services)
        .filter(([, s]) => s.kind !== "scheduled")
        .map(([name]) => `ecs-svc-${name}-dev`),
    });
    expect(codedeploy.commandCalls(ListDeploymentsCommand)[0].args[0].input).toEqual({
      applicationName: "cd-app-fraud-fraud-api-dev",
      deploymentGroupName: "cd-group-fraud-api-dev",
    });
  });

  test("reports tasks, deployments, target health and this environment's alarms in ALARM", async () => {
    const report = await readStatus(target, clients());
    const rows = report.services;
    const api = rows.find((r) => r.service === "fraud-api");
    expect(api).toMatchObject({
      desired: 2,
      running: 1,
      pending: 1,
      inProgress: "d-NEW InProgress",
      lastDeployment: "Succeeded",
      targets: [
        {
          targetGroup: "tg-blue-fraud-api-1a2b-dev",
          healthy: 1,
          total: 2,
          unhealthy: ["10.0.2.9:unhealthy (Target.ResponseCodeMismatch)"],
        },
      ],
      alarms: ["alarm-fraud-fraud-api-http-5xx-dev"],
    });
    expect(rows.find((r) => r.service === "fraud-worker")).toMatchObject({
      lastDeployment: "ROLLBACK_SUCCESSFUL",
      alarms: [],
    });
    expect(rows.find((r) => r.service === "fraud-job")).toMatchObject({
      found: true,
      schedule: "rate(6 hours)",
    });
    expect(report.environmentAlarms).toEqual(["alarm-fraud-database-cpu-dev"]);
    const table = formatStatus(target, report);
    expect(table).toMatch(/^fraud-api\s+1\/2\/1\s+d-NEW InProgress\s+Succeeded\s+1\/2\s+1 in ALARM$/m);
    expect(table).toMatch(/^fraud-job\s+scheduled: rate\(6 hours\)/m);
    expect(table).toContain("fraud-api: ALARM alarm-fraud-fraud-api-http-5xx-dev");
    expect(table).toMatch(/^\(environment\)\s+-\s+-\s+-\s+-\s+1 in ALARM$/m);
    expect(table).toContain("(environment): ALARM alarm-fraud-database-cpu-dev");
    // The environment row is as wide as the others: every second column starts at one offset.
    const rowsOf = table.split("\n").slice(1, 6);
    expect(new Set(rowsOf.map((r) => /^\S+ +/.exec(r)?.[0].length)).size).toBe(1);
    expect(table).not.toContain("orders-dev");
  });

  test("asks CloudWatch for exact alarm names only, never a prefix", async () => {
    await readStatus(target, clients());
    const inputs = cloudwatch.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input);
    expect(inputs.every((i) => i.AlarmNamePrefix === undefined && (i.AlarmNames?.length ?? 0) <= 100)).toBe(
      true,
    );
    expect(inputs.flatMap((i) => i.AlarmNames)).toContain("alarm-fraud-database-connections-dev");
  });

  test("the alarm names it asks about cover every alarm the blueprint creates", () => {
    const config = configFor("fraud");
    const stacks = synthApp(config).stacks;
    const created = Object.values(stacks).flatMap((stack) =>
      ["aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"].flatMap((type) =>
        Object.values((stack.resource?.[type] ?? {}) as Record<string, { alarm_name: string }>).map(
          (a) => a.alarm_name,
        ),
      ),
    );
    const names = alarmNames(loadEnvironment({}, { BLUEPRINT: "fraud", ENVIRONMENT_SUFFIX: "test" }));
    const known = new Set([...[...names.services.values()].flat(), ...names.environment]);
    expect(created.length).toBeGreaterThan(0);
    expect(created.filter((a) => !known.has(a))).toEqual([]);
    expect(SERVICE_ALARM_KEYS.length + ENVIRONMENT_ALARM_KEYS.length).toBeGreaterThan(0);
  });

  test("a CodeDeploy service shows the PRIMARY task set's target group (green serving)", async () => {
    const GREEN = TG.replace("tg-blue-", "tg-green-");
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: "ecs-svc-fraud-api-dev",
          status: "ACTIVE",
          deploymentController: { type: "CODE_DEPLOY" },
          // The service keeps naming blue after CodeDeploy moved production to green.
          loadBalancers: [{ targetGroupArn: TG }],
          taskSets: [
            { status: "ACTIVE", loadBalancers: [{ targetGroupArn: TG }] },
            { status: "PRIMARY", loadBalancers: [{ targetGroupArn: GREEN }] },
          ],
        },
      ],
    });
    const rows = (await readStatus(target, clients())).services;
    expect(rows.find((r) => r.service === "fraud-api")?.targets.map((t) => t.targetGroup)).toEqual([
      "tg-green-fraud-api-1a2b-dev",
    ]);
  });

  test("an ECS blue/green service shows the group with registered targets, blue or green", async () => {
    const GREEN = TG.replace("tg-blue-", "tg-green-");
    ecs.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceName: "ecs-svc-fraud-api-dev",
          status: "ACTIVE",
          deploymentController: { type: "ECS" },
          loadBalancers: [
            {
              targetGroupArn: TG,
              advancedConfiguration: {
                alternateTargetGroupArn: GREEN,
                productionListenerRule: "rule",
                roleArn: "role",
              },
            },
          ],
        },
      ],
    });
    elb.on(DescribeTargetHealthCommand, { TargetGroupArn: TG }).resolves({ TargetHealthDescriptions: [] });
    const rows = (await readStatus(target, clients())).services;
    expect(rows.find((r) => r.service === "fraud-api")?.targets.map((t) => t.targetGroup)).toEqual([
      "tg-green-fraud-api-1a2b-dev",
    ]);
  });

  test("--json prints the rows for scripts; exit 3 when anything is in ALARM or missing", async () => {
    const out: string[] = [];
    const code = await statusMain(
      ["--json", "--blueprint", "fraud", "--suffix", "dev"],
      (t) => out.push(t),
      clients,
    );
    expect(code).toBe(3);
    expect(JSON.parse(out[0])).toMatchObject({
      blueprint: "fraud",
      environment: "dev",
      services: expect.any(Array),
    });
  });

  test("an unknown option is a usage error naming the allowed ones", async () => {
    const out: string[] = [];
    expect(await statusMain(["--jsn"], (t) => out.push(t), clients)).toBe(2);
    expect(out[0]).toMatch(/--jsn: unknown option \(allowed: --blueprint, --json, --suffix\)/);
  });
});

describe("logs", () => {
  beforeEach(() => logs.reset());
  const event = (id: string, timestamp: number, task = "0123456789abcdef") => ({
    eventId: id,
    timestamp,
    message: `line ${id}\n`,
    logStreamName: `fraud-api/fraud-api/${task}`,
  });

  test("reads the app container's streams of the service's log group, newest last", async () => {
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [event("b", 2_000)], nextToken: "t" })
      .resolvesOnce({ events: [event("a", 1_000)] });
    const printed: string[] = [];
    await streamLogs(
      target,
      { service: "fraud-api", sinceMs: 600_000, follow: false },
      {
        logs: new CloudWatchLogsClient({ region: "eu-central-1" }),
        now: () => 1_000_000,
        sleep: async () => undefined,
        print: (l) => printed.push(l),
      },
    );
    expect(logs.commandCalls(FilterLogEventsCommand)[0].args[0].input).toEqual({
      logGroupName: "/ecs/fraud-fraud-api-dev",
      logStreamNamePrefix: "fraud-api/fraud-api/",
      startTime: 400_000,
      nextToken: undefined,
    });
    expect(printed).toEqual([
      "1970-01-01 00:00:01.000 01234567 line a",
      "1970-01-01 00:00:02.000 01234567 line b",
    ]);
  });

  const follow = async (polls: number, sinceMs = 60_000, now = 100_000) => {
    const controller = new AbortController();
    const printed: string[] = [];
    let n = 0;
    await streamLogs(
      target,
      { service: "fraud-api", sinceMs, follow: true },
      {
        logs: new CloudWatchLogsClient({ region: "eu-central-1" }),
        now: () => now,
        sleep: async () => {
          if (++n === polls) controller.abort();
        },
        print: (l) => printed.push(l),
        signal: controller.signal,
      },
    );
    return printed.map((l) => l.split(" ").pop());
  };

  test("--follow re-reads a trailing window and prints each event once", async () => {
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [event("a", 95_000)] })
      .resolvesOnce({ events: [event("a", 95_000), event("c", 96_000)] });
    expect(await follow(2)).toEqual(["a", "c"]);
    // 30 s before the newest event seen (95 s), not from it.
    expect(logs.commandCalls(FilterLogEventsCommand)[1].args[0].input.startTime).toBe(65_000);
  });

  test("--follow prints an event of a second task ingested after a newer one of the first", async () => {
    logs
      .on(FilterLogEventsCommand)
      // Task 1 logged at 99 s; task 2's event of 97 s is ingested only after that poll.
      .resolvesOnce({ events: [event("t1", 99_000, "1111111111")] })
      .resolvesOnce({ events: [event("t2", 97_000, "2222222222"), event("t1", 99_000, "1111111111")] });
    expect(await follow(2)).toEqual(["t1", "t2"]);
  });

  test("--follow never reads before --since", async () => {
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [event("a", 99_000)] })
      .resolves({});
    await follow(2, 5_000);
    expect(logs.commandCalls(FilterLogEventsCommand)[1].args[0].input.startTime).toBe(95_000);
  });

  test("refuses an unknown service or duration, naming the allowed values", async () => {
    const printed: string[] = [];
    const deps = { now: () => 0, sleep: async () => undefined, print: (l: string) => printed.push(l) };
    expect(await logsMain(["--service", "nope", "--blueprint", "fraud"], deps)).toBe(2);
    expect(printed[0]).toMatch(/--service: "nope" is not a service of blueprint fraud \(fraud-api, /);
    expect(() => parseSince("10 minutes")).toThrow(
      /--since: "10 minutes" is not a duration \(a number and s, m, h or d/,
    );
    expect(parseSince("2h")).toBe(7_200_000);
  });
});
