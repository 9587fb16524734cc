/**
 * `npm run status [-- --json]`: the environment (BLUEPRINT, ENVIRONMENT_SUFFIX) on one screen.
 * Per service: desired/running/pending tasks, the deployment in progress and the last one's
 * result, target health of its load-balanced target groups, and its alarms in ALARM. Names come
 * from the naming module (the ones Terraform created), so no state or outputs are read.
 *
 * Sources (AWS SDK v3): ECS DescribeServices; the last deployment from ECS
 * ListServiceDeployments for ECS-controlled services (rolling, ECS-native blue/green) and
 * CodeDeploy ListDeployments/GetDeployment for CodeDeploy-controlled ones (ECS records no
 * service deployments for the CODE_DEPLOY controller); ELBv2 DescribeTargetHealth; CloudWatch
 * DescribeAlarms (state ALARM, the exact alarm names the modules create, and the environment's
 * own: the database's).
 */
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import {
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  DeploymentInfo,
  ListDeploymentsCommand,
} from "@aws-sdk/client-codedeploy";
import {
  DescribeServicesCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  Service,
  ServiceDeploymentBrief,
} from "@aws-sdk/client-ecs";
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { COMMON_USAGE, loadEnvironment, OperatorEnvironment, parseArgs } from "./operator/environment";

export interface AwsClients {
  readonly ecs: ECSClient;
  readonly codedeploy: CodeDeployClient;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly cloudwatch: CloudWatchClient;
}

export interface ServiceStatus {
  readonly service: string;
  readonly ecsService: string;
  /** False when ECS does not know the service (not deployed, or deleted). */
  readonly found: boolean;
  /** A scheduled job's schedule: it has no ECS service, its tasks run when the schedule fires. */
  readonly schedule?: string;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  /** The deployment in progress, if any: `<id or controller> <state>`. */
  readonly inProgress?: string;
  /** The last finished deployment's result (`SUCCESSFUL`, `ROLLBACK_SUCCESSFUL`, ...). */
  readonly lastDeployment?: string;
  /** Per target group: `healthy/total` and the reasons of the unhealthy ones. */
  readonly targets: readonly {
    readonly targetGroup: string;
    readonly healthy: number;
    readonly total: number;
    readonly unhealthy: readonly string[];
  }[];
  readonly alarms: readonly string[];
}

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

const time = (d: Date | undefined) => d?.getTime() ?? 0;

/**
 * Neither ListDeployments nor ListServiceDeployments documents the order of its answer: both
 * are read in full and sorted by creation time, newest first.
 */
async function lastDeployment(
  clients: AwsClients,
  target: OperatorEnvironment,
  name: string,
  svc: Service,
): Promise<{ inProgress?: string; last?: string }> {
  const rolling = (svc.deployments ?? []).find((d) => d.rolloutState === "IN_PROGRESS");
  if (svc.deploymentController?.type === "CODE_DEPLOY") {
    const applicationName = target.naming.name("codedeployApp", name);
    const deploymentGroupName = target.naming.name("codedeployGroup", name);
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await clients.codedeploy.send(
        new ListDeploymentsCommand({ applicationName, deploymentGroupName, nextToken }),
      );
      ids.push(...(page.deployments ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    // BatchGetDeployments takes at most 25 ids per call.
    const infos: DeploymentInfo[] = [];
    for (const deploymentIds of chunks(ids, 25)) {
      const out = await clients.codedeploy.send(new BatchGetDeploymentsCommand({ deploymentIds }));
      infos.push(...(out.deploymentsInfo ?? []));
    }
    infos.sort((a, b) => time(b.createTime) - time(a.createTime));
    const running = infos.find((i) =>
      ["Created", "Queued", "InProgress", "Baking", "Ready"].includes(i.status ?? ""),
    );
    const done = infos.find((i) => i !== running && i.completeTime !== undefined);
    return {
      inProgress: running ? `${running.deploymentId} ${running.status}` : undefined,
      last: done?.status,
    };
  }
  const deployments: ServiceDeploymentBrief[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.ecs.send(
      new ListServiceDeploymentsCommand({
        cluster: svc.clusterArn,
        service: svc.serviceName,
        maxResults: 100,
        nextToken,
      }),
    );
    deployments.push(...(page.serviceDeployments ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  deployments.sort((a, b) => time(b.createdAt) - time(a.createdAt));
  const running = deployments.find((d) =>
    ["PENDING", "IN_PROGRESS", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS", "STOP_REQUESTED"].includes(
      d.status ?? "",
    ),
  );
  const done = deployments.find((d) => d !== running);
  return {
    inProgress: running
      ? `${running.status}${running.statusReason ? ` (${running.statusReason})` : ""}`
      : rolling
        ? `rollout ${rolling.rolloutState}`
        : undefined,
    last: done?.status,
  };
}

/**
 * The target groups whose health says whether the service serves: for CodeDeploy, the ones of
 * the PRIMARY task set (each task set is bound to one colour; the service's own loadBalancers
 * keep naming blue after green took over); for ECS-native blue/green, both the production and
 * the alternate group (ECS registers the tasks of the current phase in either), of which only
 * the ones with registered targets are shown, else the production one.
 */
export function targetGroupsOf(svc: Service): { arns: string[]; onlyRegistered: boolean } {
  const unique = (arns: (string | undefined)[]) => [...new Set(arns.filter((a): a is string => !!a))];
  if (svc.deploymentController?.type === "CODE_DEPLOY") {
    const primary = (svc.taskSets ?? []).find((t) => t.status === "PRIMARY");
    if (primary)
      return {
        arns: unique((primary.loadBalancers ?? []).map((lb) => lb.targetGroupArn)),
        onlyRegistered: false,
      };
  }
  const lbs = svc.loadBalancers ?? [];
  const alternates = unique(lbs.map((lb) => lb.advancedConfiguration?.alternateTargetGroupArn));
  return {
    arns: unique([...lbs.map((lb) => lb.targetGroupArn), ...alternates]),
    onlyRegistered: alternates.length > 0,
  };
}

/**
 * Every alarm key the modules create for a service (`alarm-<service>-<key>-<suffix>`):
 * modules/alarms (signals and the `health` composite), fargate-service's deployment alarms
 * (`deploy-*`), the blue/green gate alarms (`<colour>-*`) and scaling (`scale-out-cpu`). A test
 * checks this list against every alarm a synthesized blueprint creates.
 */
export const SERVICE_ALARM_KEYS = [
  // Paging (modules/alarms): saturation at maximum capacity, tasks, errors, traffic, queues, jobs.
  "cpu-at-max",
  "memory-at-max",
  "tasks",
  "tasks-pending",
  "log-errors",
  "http-5xx",
  "unhealthy-hosts",
  "queue-age",
  "dead-letters",
  "failed-runs",
  "health",
  // Deployment rollback (modules/fargate-service): the new revision's health.
  "rollback-log-errors",
  "rollback-mesh-5xx",
  "blue-5xx",
  "blue-unhealthy",
  "green-5xx",
  "green-unhealthy",
  // Scaling: decide scale-out, never page.
  "scale-out-cpu",
  "scale-out-memory",
  "scale-out-requests",
] as const;
/** The environment's own alarms (`alarm-<blueprint>-<key>-<suffix>`): the database's. */
export const ENVIRONMENT_ALARM_KEYS = ["database-cpu", "database-connections"] as const;

/** The exact alarm names of the environment, per service and for the environment itself. */
export function alarmNames(target: OperatorEnvironment): {
  services: Map<string, string[]>;
  environment: string[];
} {
  const { naming, config } = target;
  return {
    services: new Map(
      Object.keys(config.services).map((s) => [
        s,
        SERVICE_ALARM_KEYS.map((k) => naming.name("alarm", `${s}-${k}`)),
      ]),
    ),
    // Account-scoped: the naming module puts the blueprint in (`alarm-<blueprint>-database-cpu-<suffix>`).
    environment: ENVIRONMENT_ALARM_KEYS.map((k) => naming.name("alarm", k)),
  };
}

/** The names, of the ones given, that are in ALARM (exact names: no other environment's). */
async function inAlarm(clients: AwsClients, names: readonly string[]): Promise<Set<string>> {
  const firing = new Set<string>();
  // DescribeAlarms takes at most 100 alarm names per call.
  for (const AlarmNames of chunks(names, 100)) {
    let NextToken: string | undefined;
    do {
      const out = await clients.cloudwatch.send(
        new DescribeAlarmsCommand({
          AlarmNames,
          StateValue: "ALARM",
          AlarmTypes: ["MetricAlarm", "CompositeAlarm"],
          NextToken,
        }),
      );
      for (const a of [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])])
        if (a.AlarmName && AlarmNames.includes(a.AlarmName)) firing.add(a.AlarmName);
      NextToken = out.NextToken;
    } while (NextToken);
  }
  return firing;
}

export interface StatusReport {
  readonly services: ServiceStatus[];
  /** The environment-level alarms (the database's) in ALARM. */
  readonly environmentAlarms: string[];
}

/** Reads the status of every service of the environment, and the environment's alarms. */
export async function readStatus(target: OperatorEnvironment, clients: AwsClients): Promise<StatusReport> {
  const { config, naming } = target;
  const cluster = naming.name("ecsCluster");
  const names = Object.keys(config.services);
  const ecsName = new Map(names.map((n) => [naming.name("ecsService", n), n]));
  const scheduled = (n: string) => config.services[n].kind === "scheduled";
  const described = new Map<string, Service>();
  const expected = alarmNames(target);
  const firing = await inAlarm(clients, [...[...expected.services.values()].flat(), ...expected.environment]);
  // DescribeServices takes at most 10 services per call.
  const withService = [...ecsName].filter(([, n]) => !scheduled(n)).map(([e]) => e);
  for (const batch of chunks(withService, 10)) {
    const out = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: batch }));
    for (const s of out.services ?? [])
      if (s.serviceName && s.status !== "INACTIVE") described.set(s.serviceName, s);
  }
  const services = await Promise.all(
    [...ecsName].map(async ([ecsService, name]): Promise<ServiceStatus> => {
      const svc = described.get(ecsService);
      const alarms = (expected.services.get(name) ?? []).filter((a) => firing.has(a));
      const none = { desired: 0, running: 0, pending: 0, targets: [], alarms };
      if (scheduled(name))
        return { service: name, ecsService, found: true, schedule: config.services[name].schedule, ...none };
      if (!svc) return { service: name, ecsService, found: false, ...none };
      const deployment = await lastDeployment(clients, target, name, svc);
      const groups = targetGroupsOf(svc);
      const health = await Promise.all(
        groups.arns.map(async (arn) => {
          const health = await clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
          const all = health.TargetHealthDescriptions ?? [];
          const bad = all.filter((t) => t.TargetHealth?.State !== "healthy");
          return {
            targetGroup: arn.split(":targetgroup/")[1]?.split("/")[0] ?? arn,
            healthy: all.length - bad.length,
            total: all.length,
            unhealthy: bad.map(
              (t) =>
                `${t.Target?.Id}:${t.TargetHealth?.State}${t.TargetHealth?.Reason ? ` (${t.TargetHealth.Reason})` : ""}`,
            ),
          };
        }),
      );
      const registered = health.filter((h) => h.total > 0);
      const targets = !groups.onlyRegistered
        ? health
        : registered.length > 0
          ? registered
          : health.slice(0, 1);
      return {
        service: name,
        ecsService,
        found: true,
        desired: svc.desiredCount ?? 0,
        running: svc.runningCount ?? 0,
        pending: svc.pendingCount ?? 0,
        inProgress: deployment.inProgress,
        lastDeployment: deployment.last,
        targets,
        alarms,
      };
    }),
  );
  return { services, environmentAlarms: expected.environment.filter((a) => firing.has(a)) };
}

/** The table: one row per service, then the details that do not fit a row. */
export function formatStatus(target: OperatorEnvironment, report: StatusReport): string {
  const rows = report.services;
  const header = [
    "service",
    "tasks (run/desired/pend)",
    "deploying",
    "last deployment",
    "targets healthy",
    "alarms",
  ];
  const cells = rows.map((r) =>
    r.schedule !== undefined
      ? [
          r.service,
          `scheduled: ${r.schedule}`,
          "-",
          "-",
          "-",
          r.alarms.length === 0 ? "OK" : `${r.alarms.length} in ALARM`,
        ]
      : r.found
        ? [
            r.service,
            `${r.running}/${r.desired}/${r.pending}`,
            r.inProgress ?? "-",
            r.lastDeployment ?? "-",
            r.targets.length === 0 ? "-" : r.targets.map((t) => `${t.healthy}/${t.total}`).join(" "),
            r.alarms.length === 0 ? "OK" : `${r.alarms.length} in ALARM`,
          ]
        : [
            r.service,
            "not deployed",
            "-",
            "-",
            "-",
            r.alarms.length === 0 ? "OK" : `${r.alarms.length} in ALARM`,
          ],
  );
  const environmentRow = [
    "(environment)",
    "-",
    "-",
    "-",
    "-",
    report.environmentAlarms.length === 0 ? "OK" : `${report.environmentAlarms.length} in ALARM`,
  ];
  cells.push(environmentRow);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: readonly string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  const details = rows.flatMap((r) => [
    ...r.alarms.map((a) => `  ${r.service}: ALARM ${a}`),
    ...r.targets.flatMap((t) => t.unhealthy.map((u) => `  ${r.service}: ${t.targetGroup} ${u}`)),
  ]);
  details.push(...report.environmentAlarms.map((a) => `  (environment): ALARM ${a}`));
  return [
    `status: blueprint ${target.config.name}, environment ${target.config.environmentSuffix}, cluster ${target.naming.name("ecsCluster")} (${target.config.region})`,
    line(header),
    ...cells.map(line),
    ...(details.length > 0 ? ["", ...details] : []),
  ].join("\n");
}

export const STATUS_USAGE = `usage: npm run status -- [--json] ${COMMON_USAGE}`;

export async function main(
  argv: readonly string[],
  print: (text: string) => void = console.log,
  clientsFor: (region: string) => AwsClients = defaultClients,
): Promise<number> {
  let target: OperatorEnvironment;
  let json: boolean;
  try {
    const args = parseArgs(argv, { switches: ["--json"] });
    if (args.positional.length > 0) throw new Error(`unexpected argument ${args.positional[0]}`);
    json = args.switches.has("--json");
    target = loadEnvironment(args.common);
  } catch (error) {
    print(`${(error as Error).message}\n${STATUS_USAGE}`);
    return 2;
  }
  try {
    const report = await readStatus(target, clientsFor(target.config.region));
    print(
      json
        ? JSON.stringify(
            {
              blueprint: target.config.name,
              environment: target.config.environmentSuffix,
              services: report.services,
              environmentAlarms: report.environmentAlarms,
            },
            null,
            2,
          )
        : formatStatus(target, report),
    );
    const bad =
      report.environmentAlarms.length > 0 || report.services.some((r) => r.alarms.length > 0 || !r.found);
    return bad ? 3 : 0;
  } catch (error) {
    print(
      `status: ${(error as Error).name}: ${(error as Error).message}\n(no credentials or no access? run npm run doctor)`,
    );
    return 1;
  }
}

export function defaultClients(region: string): AwsClients {
  return {
    ecs: new ECSClient({ region }),
    codedeploy: new CodeDeployClient({ region }),
    elb: new ElasticLoadBalancingV2Client({ region }),
    cloudwatch: new CloudWatchClient({ region }),
  };
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
