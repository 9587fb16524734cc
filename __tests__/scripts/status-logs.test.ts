/**
 * `npm run status` and `npm run logs` against mocked AWS SDK clients: which names they ask AWS
 * about (the ones Terraform created), and what the operator sees.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CodeDeployClient, GetDeploymentCommand, ListDeploymentsCommand } from "@aws-sdk/client-codedeploy";
import { DescribeServicesCommand, ECSClient, ListServiceDeploymentsCommand } from "@aws-sdk/client-ecs";
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { mockClient } from "aws-sdk-client-mock";
import { loadEnvironment } from "../../scripts/operator/environment";
import { main as logsMain, parseSince, streamLogs } from "../../scripts/logs";
import { AwsClients, formatStatus, main as statusMain, readStatus } from "../../scripts/status";

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
    codedeploy.on(ListDeploymentsCommand).resolves({ deployments: ["d-NEW", "d-OLD"] });
    codedeploy
      .on(GetDeploymentCommand, { deploymentId: "d-NEW" })
      .resolves({ deploymentInfo: { deploymentId: "d-NEW", status: "InProgress" } });
    codedeploy
      .on(GetDeploymentCommand, { deploymentId: "d-OLD" })
      .resolves({ deploymentInfo: { deploymentId: "d-OLD", status: "Succeeded" } });
    ecs
      .on(ListServiceDeploymentsCommand)
      .resolves({ serviceDeployments: [{ status: "ROLLBACK_SUCCESSFUL" }] });
    elb.on(DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [
        { Target: { Id: "10.0.1.5" }, TargetHealth: { State: "healthy" } },
        {
          Target: { Id: "10.0.2.9" },
          TargetHealth: { State: "unhealthy", Reason: "Target.ResponseCodeMismatch" },
        },
      ],
    });
    cloudwatch.on(DescribeAlarmsCommand).resolves({});
    cloudwatch.on(DescribeAlarmsCommand, { AlarmNamePrefix: "alarm-fraud-api-" }).resolves({
      MetricAlarms: [
        { AlarmName: "alarm-fraud-api-http-5xx-dev" },
        { AlarmName: "alarm-fraud-api-http-5xx-prod" },
      ],
    });
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
    const rows = await readStatus(target, clients());
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
      alarms: ["alarm-fraud-api-http-5xx-dev"],
    });
    expect(rows.find((r) => r.service === "fraud-worker")).toMatchObject({
      lastDeployment: "ROLLBACK_SUCCESSFUL",
      alarms: [],
    });
    expect(rows.find((r) => r.service === "fraud-job")).toMatchObject({
      found: true,
      schedule: "rate(6 hours)",
    });
    const table = formatStatus(target, rows);
    expect(table).toMatch(/^fraud-api\s+1\/2\/1\s+d-NEW InProgress\s+Succeeded\s+1\/2\s+1 in ALARM$/m);
    expect(table).toMatch(/^fraud-job\s+scheduled: rate\(6 hours\)/m);
    expect(table).toContain("fraud-api: ALARM alarm-fraud-api-http-5xx-dev");
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

  test("--follow polls from the last event on and prints each event once", async () => {
    const controller = new AbortController();
    logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [event("a", 5_000)] })
      .resolvesOnce({ events: [event("a", 5_000), event("c", 6_000)] });
    const printed: string[] = [];
    let polls = 0;
    await streamLogs(
      target,
      { service: "fraud-api", sinceMs: 1_000, follow: true },
      {
        logs: new CloudWatchLogsClient({ region: "eu-central-1" }),
        now: () => 5_500,
        sleep: async () => {
          if (++polls === 2) controller.abort();
        },
        print: (l) => printed.push(l),
        signal: controller.signal,
      },
    );
    expect(printed.map((l) => l.split(" ").pop())).toEqual(["a", "c"]);
    expect(logs.commandCalls(FilterLogEventsCommand)[1].args[0].input.startTime).toBe(5_000);
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
