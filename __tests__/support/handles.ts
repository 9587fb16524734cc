/**
 * Test doubles of the platform's handles (literal identifiers named by the naming module, the
 * way the platform stack names its resources), the "all kinds" test blueprint, and what AWS
 * publishes: the allow-list every dashboard widget and alarm is checked against.
 */
import type { BlueprintInput, PlatformConfig } from "../../config";
import type { PlatformHandles, ServiceHandle } from "../../modules/contracts";
import { Naming } from "../../modules/naming";
import { blueprintWith, configFrom, Json } from "./synth";

const ACCOUNT = "123456789012";
const ID = "0123456789abcdef";

/** Platform handles for a config, with the identifiers the platform's naming gives them. */
export function fakeHandles(config: PlatformConfig): PlatformHandles {
  const naming = new Naming(config.name, config.environmentSuffix);
  const region = config.region;
  const clusterName = naming.name("ecsCluster");
  const namespace = config.serviceDiscovery.namespace ?? `${config.name}.internal`;
  const services: Record<string, ServiceHandle> = {};
  for (const [name, svc] of Object.entries(config.services)) {
    const ecsServiceName = svc.kind === "scheduled" ? undefined : naming.name("ecsService", name);
    const tg = (color: string) => {
      const tgName = naming.name("targetGroup", `${color}-${name}`);
      const arnSuffix = `targetgroup/${tgName}/${ID}`;
      return {
        name: tgName,
        arnSuffix,
        arn: `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:${arnSuffix}`,
      };
    };
    const queueName = naming.name("sqsQueue", name);
    const dlqName = naming.name("sqsQueue", `${name}-dlq`);
    services[name] = {
      name,
      kind: svc.kind,
      ecsServiceName,
      ecsServiceArn:
        ecsServiceName && `arn:aws:ecs:${region}:${ACCOUNT}:service/${clusterName}/${ecsServiceName}`,
      taskDefinitionFamily: naming.name("taskFamily", name),
      logGroupName: naming.name("logGroup", name),
      containerName: name,
      containerPort: svc.port,
      targetGroups: svc.kind === "web" ? { blue: tg("blue"), green: tg("green") } : undefined,
      queue:
        svc.kind === "worker"
          ? {
              name: queueName,
              arn: `arn:aws:sqs:${region}:${ACCOUNT}:${queueName}`,
              dlqName,
              dlqArn: `arn:aws:sqs:${region}:${ACCOUNT}:${dlqName}`,
            }
          : undefined,
      schedule:
        svc.kind === "scheduled"
          ? {
              name: naming.name("schedule", name),
              groupName: naming.name("scheduleGroup", name),
              arn: `arn:aws:scheduler:${region}:${ACCOUNT}:schedule/${naming.name("scheduleGroup", name)}/${naming.name("schedule", name)}`,
            }
          : undefined,
      deploymentAlarmNames:
        svc.kind === "web"
          ? [naming.name("alarm", `${name}-deploy-5xx`), naming.name("alarm", `${name}-deploy-unhealthy`)]
          : [],
      dnsName: `${name}.${namespace}`,
      discoveryName: config.mesh.enabled && (svc.kind === "web" || svc.kind === "backend") ? name : undefined,
    };
  }
  const albName = naming.name("loadBalancer");
  const hasWeb = Object.values(config.services).some((s) => s.kind === "web");
  return {
    clusterName,
    clusterArn: `arn:aws:ecs:${region}:${ACCOUNT}:cluster/${clusterName}`,
    loadBalancer: hasWeb
      ? {
          arn: `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:loadbalancer/app/${albName}/${ID}`,
          arnSuffix: `app/${albName}/${ID}`,
          dnsName: `${albName}-1234567890.${region}.elb.amazonaws.com`,
        }
      : undefined,
    namespace: { id: "ns-0123456789abcdef", name: namespace },
    services,
    databaseClusterIdentifier: config.database ? naming.name("dbCluster") : undefined,
    kmsKeyArn: `arn:aws:kms:${region}:${ACCOUNT}:key/00000000-0000-0000-0000-000000000000`,
  };
}

/**
 * The trading blueprint grown to every kind: web (rolling, since Service Connect needs the ECS
 * deployment controller), backend, worker and scheduled services, the mesh, a database and an
 * application metric pattern.
 */
export const ALL_KINDS: BlueprintInput = blueprintWith("trading", (bp) => {
  bp.mesh = { enabled: true };
  bp.database = {};
  bp.observability = { alarmEmail: "oncall@example.com" };
  for (const web of ["frontend", "api-gateway"]) bp.services[web].deployment = { strategy: "rolling" };
  // The platform injects the database credentials itself when a service uses the database.
  bp.services["processing-service"].usesDatabase = true;
  bp.services["processing-service"].secrets = {};
  bp.services["processing-service"].metricPattern = '{ $.event = "trade_settled" }';
  bp.services["settlement-worker"] = { kind: "worker", cpu: 512, memory: 1024, minCount: 1, desiredCount: 1 };
  bp.services["eod-report"] = { kind: "scheduled", cpu: 256, memory: 512, schedule: "cron(0 22 * * ? *)" };
});

export const allKindsConfig = (): PlatformConfig => configFrom(ALL_KINDS);

/**
 * Namespace → metric → the dimension-name sets AWS publishes it with (sorted names), from the
 * AWS documentation of each service's CloudWatch metrics. A graph or alarm on any other
 * combination shows nothing.
 */
const CLUSTER_SERVICE = ["ClusterName", "ServiceName"];
const CLUSTER_FAMILY = ["ClusterName", "TaskDefinitionFamily"];
const ALB_TG = ["LoadBalancer", "TargetGroup"];
const SC_INBOUND = ["ClusterName", "DiscoveryName", "ServiceName"];
const SC_TARGET = [["TargetDiscoveryName"], ["ClusterName", "ServiceName", "TargetDiscoveryName"]];
export const AWS_METRIC_DIMENSIONS: Record<string, Record<string, string[][]>> = {
  "AWS/ECS": {
    CPUUtilization: [CLUSTER_SERVICE, ["ClusterName"]],
    MemoryUtilization: [CLUSTER_SERVICE, ["ClusterName"]],
    // Service Connect
    RequestCount: [SC_INBOUND, ...SC_TARGET],
    ActiveConnectionCount: [SC_INBOUND],
    NewConnectionCount: [SC_INBOUND],
    TargetResponseTime: SC_TARGET,
    HTTPCode_Target_2XX_Count: SC_TARGET,
    HTTPCode_Target_3XX_Count: SC_TARGET,
    HTTPCode_Target_4XX_Count: SC_TARGET,
    HTTPCode_Target_5XX_Count: SC_TARGET,
  },
  "ECS/ContainerInsights": {
    RunningTaskCount: [CLUSTER_SERVICE],
    DesiredTaskCount: [CLUSTER_SERVICE],
    PendingTaskCount: [CLUSTER_SERVICE],
    NetworkRxBytes: [CLUSTER_SERVICE, CLUSTER_FAMILY],
    NetworkTxBytes: [CLUSTER_SERVICE, CLUSTER_FAMILY],
    CpuUtilized: [CLUSTER_SERVICE, CLUSTER_FAMILY],
    CpuReserved: [CLUSTER_SERVICE, CLUSTER_FAMILY],
    MemoryUtilized: [CLUSTER_SERVICE, CLUSTER_FAMILY],
    MemoryReserved: [CLUSTER_SERVICE, CLUSTER_FAMILY],
  },
  "AWS/ApplicationELB": {
    RequestCount: [["LoadBalancer"], ALB_TG],
    TargetResponseTime: [["LoadBalancer"], ALB_TG],
    HTTPCode_Target_2XX_Count: [["LoadBalancer"], ALB_TG],
    HTTPCode_Target_3XX_Count: [["LoadBalancer"], ALB_TG],
    HTTPCode_Target_4XX_Count: [["LoadBalancer"], ALB_TG],
    HTTPCode_Target_5XX_Count: [["LoadBalancer"], ALB_TG],
    HTTPCode_ELB_4XX_Count: [["LoadBalancer"]],
    HTTPCode_ELB_5XX_Count: [["LoadBalancer"]],
    HealthyHostCount: [ALB_TG],
    UnHealthyHostCount: [ALB_TG],
  },
  "AWS/SQS": {
    ApproximateNumberOfMessagesVisible: [["QueueName"]],
    ApproximateAgeOfOldestMessage: [["QueueName"]],
  },
  "AWS/Scheduler": Object.fromEntries(
    [
      "InvocationAttemptCount",
      "TargetErrorCount",
      "TargetErrorThrottledCount",
      "InvocationThrottleCount",
      "InvocationDroppedCount",
      "InvocationsSentToDeadLetterCount",
      "InvocationsFailedToBeSentToDeadLetterCount",
    ].map((m) => [m, [["ScheduleGroup"]]]),
  ),
  "AWS/Events": { Invocations: [["RuleName"]], TriggeredRules: [["RuleName"]] },
  "AWS/RDS": {
    CPUUtilization: [["DBClusterIdentifier"]],
    DatabaseConnections: [["DBClusterIdentifier"]],
    FreeableMemory: [["DBClusterIdentifier"]],
  },
};

/** Whether AWS publishes `metricName` in `namespace` with exactly these dimension names. */
export function isPublished(namespace: string, metricName: string, dimensionNames: string[]): boolean {
  const sets = AWS_METRIC_DIMENSIONS[namespace]?.[metricName];
  const key = [...dimensionNames].sort().join(",");
  return sets !== undefined && sets.some((s) => [...s].sort().join(",") === key);
}

/** The identifier each dimension must take, by dimension name, from the handles. */
export function identifiersByDimension(h: PlatformHandles): Record<string, Set<string>> {
  const svcs = Object.values(h.services);
  const set = (values: (string | undefined)[]) => new Set(values.filter((v): v is string => v !== undefined));
  return {
    ClusterName: set([h.clusterName]),
    ServiceName: set(svcs.map((s) => s.ecsServiceName)),
    TaskDefinitionFamily: set(svcs.map((s) => s.taskDefinitionFamily)),
    LoadBalancer: set([h.loadBalancer?.arnSuffix]),
    TargetGroup: set(svcs.flatMap((s) => [s.targetGroups?.blue.arnSuffix, s.targetGroups?.green?.arnSuffix])),
    QueueName: set(svcs.flatMap((s) => [s.queue?.name, s.queue?.dlqName])),
    ScheduleGroup: set(svcs.map((s) => s.schedule?.groupName)),
    DBClusterIdentifier: set([h.databaseClusterIdentifier]),
    DiscoveryName: set(svcs.map((s) => s.discoveryName)),
    TargetDiscoveryName: set(svcs.map((s) => s.discoveryName)),
  };
}

/** One metric drawn by a dashboard widget. */
export interface DrawnMetric {
  readonly widget: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly options: Json;
}

/** Every metric (not expression) of a dashboard body, parsed from the widgets' metric arrays. */
export function drawnMetrics(body: Json): DrawnMetric[] {
  const out: DrawnMetric[] = [];
  for (const w of body.widgets) {
    if (w.type !== "metric") continue;
    for (const row of w.properties.metrics as unknown[][]) {
      if (typeof row[0] !== "string") continue;
      const last = row[row.length - 1];
      const options = typeof last === "object" ? (last as Json) : {};
      const flat = (typeof last === "object" ? row.slice(2, -1) : row.slice(2)) as string[];
      const dimensions: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) dimensions[flat[i]] = flat[i + 1];
      out.push({
        widget: w.properties.title,
        namespace: row[0],
        metricName: row[1] as string,
        dimensions,
        options,
      });
    }
  }
  return out;
}
