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
 * DescribeAlarms (state ALARM, the service's alarm name prefix).
 */
import { CloudWatchClient, DescribeAlarmsCommand } from "@aws-sdk/client-cloudwatch";
import { CodeDeployClient, GetDeploymentCommand, ListDeploymentsCommand } from "@aws-sdk/client-codedeploy";
import {
  DescribeServicesCommand,
  ECSClient,
  ListServiceDeploymentsCommand,
  Service,
} from "@aws-sdk/client-ecs";
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { NAME_RULES } from "../modules/naming";
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
    const list = await clients.codedeploy.send(
      new ListDeploymentsCommand({ applicationName, deploymentGroupName }),
    );
    // ListDeployments returns the newest first.
    const ids = (list.deployments ?? []).slice(0, 2);
    const infos = await Promise.all(
      ids.map((deploymentId) => clients.codedeploy.send(new GetDeploymentCommand({ deploymentId }))),
    );
    const running = infos.find((i) =>
      ["Created", "Queued", "InProgress", "Baking", "Ready"].includes(i.deploymentInfo?.status ?? ""),
    );
    const done = infos.find((i) => i !== running);
    return {
      inProgress: running
        ? `${running.deploymentInfo?.deploymentId} ${running.deploymentInfo?.status}`
        : undefined,
      last: done?.deploymentInfo?.status,
    };
  }
  const list = await clients.ecs.send(
    new ListServiceDeploymentsCommand({ cluster: svc.clusterArn, service: svc.serviceName, maxResults: 5 }),
  );
  const deployments = list.serviceDeployments ?? [];
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

/** Reads the status of every service of the environment. */
export async function readStatus(target: OperatorEnvironment, clients: AwsClients): Promise<ServiceStatus[]> {
  const { config, naming } = target;
  const cluster = naming.name("ecsCluster");
  const names = Object.keys(config.services);
  const ecsName = new Map(names.map((n) => [naming.name("ecsService", n), n]));
  const scheduled = (n: string) => config.services[n].kind === "scheduled";
  const described = new Map<string, Service>();
  // Alarm names are `alarm-<service>-<key>-<suffix>` (modules/alarms through the naming module).
  const alarmPrefix = (service: string) => `${NAME_RULES.alarm.type}-${service}-`;
  const longer = (service: string) => names.filter((o) => o !== service && o.startsWith(`${service}-`));
  // DescribeServices takes at most 10 services per call.
  const withService = [...ecsName].filter(([, n]) => !scheduled(n)).map(([e]) => e);
  for (const batch of chunks(withService, 10)) {
    const out = await clients.ecs.send(new DescribeServicesCommand({ cluster, services: batch }));
    for (const s of out.services ?? [])
      if (s.serviceName && s.status !== "INACTIVE") described.set(s.serviceName, s);
  }
  return Promise.all(
    [...ecsName].map(async ([ecsService, name]): Promise<ServiceStatus> => {
      const svc = described.get(ecsService);
      const alarmsOut = await clients.cloudwatch.send(
        new DescribeAlarmsCommand({
          AlarmNamePrefix: alarmPrefix(name),
          StateValue: "ALARM",
          AlarmTypes: ["MetricAlarm", "CompositeAlarm"],
        }),
      );
      const suffix = `-${config.environmentSuffix}`;
      const alarms = [...(alarmsOut.MetricAlarms ?? []), ...(alarmsOut.CompositeAlarms ?? [])]
        .map((a) => a.AlarmName ?? "")
        // `alarm-api-` also matches the alarms of a service named `api-gateway`.
        .filter((a) => a.endsWith(suffix) && !longer(name).some((o) => a.startsWith(alarmPrefix(o))));
      const none = { desired: 0, running: 0, pending: 0, targets: [], alarms };
      if (scheduled(name))
        return { service: name, ecsService, found: true, schedule: config.services[name].schedule, ...none };
      if (!svc) return { service: name, ecsService, found: false, ...none };
      const deployment = await lastDeployment(clients, target, name, svc);
      const targetGroups = [
        ...new Set((svc.loadBalancers ?? []).map((lb) => lb.targetGroupArn).filter((a): a is string => !!a)),
      ];
      const targets = await Promise.all(
        targetGroups.map(async (arn) => {
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
}

/** The table: one row per service, then the details that do not fit a row. */
export function formatStatus(target: OperatorEnvironment, rows: readonly ServiceStatus[]): string {
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
    const rows = await readStatus(target, clientsFor(target.config.region));
    print(
      json
        ? JSON.stringify(
            { blueprint: target.config.name, environment: target.config.environmentSuffix, services: rows },
            null,
            2,
          )
        : formatStatus(target, rows),
    );
    return rows.some((r) => r.alarms.length > 0 || !r.found) ? 3 : 0;
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
