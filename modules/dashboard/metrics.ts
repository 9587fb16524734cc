/**
 * The metric catalog of the observability stack: every CloudWatch metric a dashboard draws or an
 * alarm watches is built here, from the platform's handles, with the namespace, metric name and
 * dimension names exactly as AWS publishes them. Dashboards and alarms both read this catalog,
 * so an alarm can only watch a metric a dashboard also shows, and a misspelled dimension (which
 * CloudWatch accepts silently and graphs as nothing) has one place to be wrong and be tested.
 */
import type { ServiceKind } from "../../config/schema";
import type { PlatformHandles, ServiceHandle, TargetGroupHandle } from "../contracts";

/** Namespaces AWS publishes the platform's metrics in. */
export const NAMESPACES = {
  ecs: "AWS/ECS",
  containerInsights: "ECS/ContainerInsights",
  alb: "AWS/ApplicationELB",
  sqs: "AWS/SQS",
  scheduler: "AWS/Scheduler",
  rds: "AWS/RDS",
} as const;

/** One CloudWatch metric with a statistic. */
export interface MetricRef {
  readonly namespace: string;
  readonly metricName: string;
  /** Dimension name → value; the set of names must be one AWS publishes the metric with. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount` or a percentile such as `p99`. */
  readonly stat: string;
}

/** A line on a graph / the value an alarm evaluates: one metric. */
export interface MetricSeries {
  readonly kind: "metric";
  readonly label: string;
  readonly metric: MetricRef;
}

/** A line computed with metric math from named input metrics (ids: `^[a-z][a-zA-Z0-9_]*$`). */
export interface MathSeries {
  readonly kind: "math";
  readonly label: string;
  readonly expression: string;
  readonly inputs: Readonly<Record<string, MetricRef>>;
}

export type Series = MetricSeries | MathSeries;

export const metric = (
  namespace: string,
  metricName: string,
  dimensions: Record<string, string>,
  stat: string,
): MetricRef => ({ namespace, metricName, dimensions, stat });

export const line = (label: string, m: MetricRef): MetricSeries => ({ kind: "metric", label, metric: m });

export const math = (label: string, expression: string, inputs: Record<string, MetricRef>): MathSeries => ({
  kind: "math",
  label,
  expression,
  inputs,
});

/** Percentiles of the target response time every web service shows. */
export const LATENCY_PERCENTILES = ["p50", "p90", "p99"] as const;

export interface TargetGroupSignals {
  /** `blue` or `green`. */
  readonly color: string;
  readonly requests: MetricSeries;
  /** Target response time (seconds) at p50, p90 and p99. */
  readonly latency: readonly MetricSeries[];
  readonly target4xx: MetricSeries;
  readonly target5xx: MetricSeries;
  /** Responses of the targets by class: 2xx, 3xx, 4xx, 5xx. */
  readonly statusCodes: readonly MetricSeries[];
  readonly healthyHosts: MetricSeries;
  readonly unhealthyHosts: MetricSeries;
}

/** Custom metrics the log metric filters publish for one service. */
export interface LogMetrics {
  /** Log lines matching the error pattern (a 0 is published for quiet minutes). */
  readonly errors: MetricRef;
  /** Log lines matching the service's own `metricPattern`, where set. */
  readonly application?: MetricRef;
  /**
   * Request duration and status classes from the app's JSON request logs: for services that
   * receive traffic no AWS metric sees (internal, outside the mesh). @default none
   */
  readonly requests?: { readonly duration: MetricRef; readonly statusClasses: readonly MetricRef[] };
}

/** Everything worth graphing or alarming on for one service. */
export interface ServiceSignals {
  readonly name: string;
  readonly kind: ServiceKind;
  /** CPU and memory used, in percent of what the tasks reserve. */
  readonly cpu: Series;
  readonly memory: Series;
  readonly networkRx: MetricSeries;
  readonly networkTx: MetricSeries;
  /** Running and desired task counts (services only; a scheduled job has no ECS service). */
  readonly tasks?: { readonly running: MetricSeries; readonly desired: MetricSeries };
  /** Web services: the load balancer's view. */
  readonly web?: {
    /** One entry per target group (blue, green). */
    readonly targetGroups: readonly TargetGroupSignals[];
    /** Percent of requests answered 5xx by the targets, over both target groups. */
    readonly errorRate: MathSeries;
    /** Unhealthy targets over both target groups. */
    readonly unhealthyHosts: MathSeries;
    /** 4xx and 5xx the load balancer answers itself (shared by every web service). */
    readonly loadBalancerErrors: readonly MetricSeries[];
  };
  readonly queue?: {
    readonly visible: MetricSeries;
    readonly oldestAgeSeconds: MetricSeries;
    readonly deadLetterVisible: MetricSeries;
  };
  readonly schedule?: {
    readonly attempts: MetricSeries;
    readonly targetErrors: MetricSeries;
    /** Runs that never started: dropped after the retry policy, or sent to the dead-letter queue. */
    readonly failedRuns: MathSeries;
  };
  /** Service Connect (inbound) traffic, when the mesh is on and another service calls this one. */
  readonly serviceConnect?: {
    readonly requests: MetricSeries;
    /** Milliseconds (Service Connect reports milliseconds, the ALB seconds). */
    readonly latencyP99: MetricSeries;
    /** Response time p50, p90, p99 (ms). */
    readonly latency: readonly MetricSeries[];
    readonly target5xx: MetricSeries;
    /** Responses by class: 2xx, 3xx, 4xx, 5xx. */
    readonly statusCodes: readonly MetricSeries[];
    readonly activeConnections: MetricSeries;
  };
  readonly logs: { readonly errors: MetricSeries; readonly application?: MetricSeries };
  /** Latency p50/p90/p99 and status classes from the app's request logs (see LogMetrics.requests). */
  readonly appRequests?: {
    readonly latency: readonly MetricSeries[];
    readonly statusCodes: readonly MetricSeries[];
  };
}

export interface SignalOptions {
  /** Service Connect is on (adds inbound request metrics for services that accept connections). */
  readonly mesh: boolean;
  /** Custom metrics of the service's log metric filters. */
  readonly logMetrics: LogMetrics;
  /**
   * Another service calls this one (its `calls`): only then does Service Connect carry inbound
   * traffic worth graphing. @default true
   */
  readonly called?: boolean;
}

/** HTTP status classes drawn for every service that receives traffic. */
export const STATUS_CLASSES = ["2XX", "3XX", "4XX", "5XX"] as const;

/** Kinds that accept connections (and are Service Connect servers when the mesh is on). */
const LISTENING_KINDS: readonly ServiceKind[] = ["web", "backend"];

/**
 * The signals of one service, built from the platform's handles. Fails when the handle lacks
 * an identifier its kind needs (a graph on a missing identifier would show nothing).
 */
export function serviceSignals(
  platform: PlatformHandles,
  svc: ServiceHandle,
  options: SignalOptions,
): ServiceSignals {
  const missing = (field: string) =>
    new Error(`handles.services.${svc.name}.${field} is required for a ${svc.kind} service`);
  const cluster = platform.clusterName;
  const ci = NAMESPACES.containerInsights;

  const ecsServiceName = svc.kind === "scheduled" ? undefined : svc.ecsServiceName;
  if (svc.kind !== "scheduled" && !ecsServiceName) throw missing("ecsServiceName");

  let base: Pick<ServiceSignals, "cpu" | "memory" | "networkRx" | "networkTx" | "tasks">;
  if (ecsServiceName === undefined) {
    // No ECS service: Container Insights aggregates the job's tasks by task definition family;
    // AWS/ECS publishes utilization per service only, so percent = used / reserved.
    const family = { ClusterName: cluster, TaskDefinitionFamily: svc.taskDefinitionFamily };
    const pct = (label: string, used: string, reserved: string) =>
      math(label, "100 * used / reserved", {
        used: metric(ci, used, family, "Average"),
        reserved: metric(ci, reserved, family, "Average"),
      });
    base = {
      cpu: pct("CPU %", "CpuUtilized", "CpuReserved"),
      memory: pct("Memory %", "MemoryUtilized", "MemoryReserved"),
      networkRx: line("Network in (bytes/s)", metric(ci, "NetworkRxBytes", family, "Average")),
      networkTx: line("Network out (bytes/s)", metric(ci, "NetworkTxBytes", family, "Average")),
    };
  } else {
    const dims = { ClusterName: cluster, ServiceName: ecsServiceName };
    base = {
      cpu: line("CPU %", metric(NAMESPACES.ecs, "CPUUtilization", dims, "Average")),
      memory: line("Memory %", metric(NAMESPACES.ecs, "MemoryUtilization", dims, "Average")),
      networkRx: line("Network in (bytes/s)", metric(ci, "NetworkRxBytes", dims, "Average")),
      networkTx: line("Network out (bytes/s)", metric(ci, "NetworkTxBytes", dims, "Average")),
      tasks: {
        // Minimum: a task that dies inside the minute must still show as a dip.
        running: line("Running tasks", metric(ci, "RunningTaskCount", dims, "Minimum")),
        desired: line("Desired tasks", metric(ci, "DesiredTaskCount", dims, "Maximum")),
      },
    };
  }

  let web: ServiceSignals["web"];
  if (svc.kind === "web") {
    if (!svc.targetGroups) throw missing("targetGroups");
    const albSuffix = platform.loadBalancer?.arnSuffix;
    if (!albSuffix) throw new Error(`handles.loadBalancer is required: ${svc.name} is a web service`);
    const lb = loadBalancerSignals(albSuffix);
    // Rolling services have blue only; blue/green services both.
    const groups = Object.entries(svc.targetGroups).filter(
      (entry): entry is [string, TargetGroupHandle] => entry[1] !== undefined,
    );
    const targetGroups = groups.map(([color, tg]) => targetGroupSignals(color, tg, albSuffix));
    const sum = (prefix: string) => groups.map(([color]) => `FILL(${prefix}_${color}, 0)`).join(" + ");
    const inputs = (prefix: string, pick: (t: TargetGroupSignals) => MetricSeries) =>
      Object.fromEntries(targetGroups.map((t) => [`${prefix}_${t.color}`, pick(t).metric]));
    web = {
      targetGroups,
      // Only the target group serving traffic reports requests; FILL keeps the idle one (and
      // quiet minutes without any 5xx, which publish no datapoint) from blanking the sum.
      errorRate: math("Target 5xx %", `100 * (${sum("e")}) / (${sum("r")})`, {
        ...inputs("e", (t) => t.target5xx),
        ...inputs("r", (t) => t.requests),
      }),
      unhealthyHosts: math(
        "Unhealthy targets",
        sum("u"),
        inputs("u", (t) => t.unhealthyHosts),
      ),
      loadBalancerErrors: [lb.elb4xx, lb.elb5xx],
    };
  }

  let queue: ServiceSignals["queue"];
  if (svc.kind === "worker") {
    if (!svc.queue) throw missing("queue");
    const sqs = NAMESPACES.sqs;
    queue = {
      visible: line(
        "Messages visible",
        metric(sqs, "ApproximateNumberOfMessagesVisible", { QueueName: svc.queue.name }, "Maximum"),
      ),
      oldestAgeSeconds: line(
        "Age of oldest message (s)",
        metric(sqs, "ApproximateAgeOfOldestMessage", { QueueName: svc.queue.name }, "Maximum"),
      ),
      deadLetterVisible: line(
        "Dead-letter messages",
        metric(sqs, "ApproximateNumberOfMessagesVisible", { QueueName: svc.queue.dlqName }, "Maximum"),
      ),
    };
  }

  let schedule: ServiceSignals["schedule"];
  if (svc.kind === "scheduled") {
    if (!svc.schedule) throw missing("schedule");
    // EventBridge Scheduler publishes per schedule group (its only dimension); the platform
    // gives every job its own group, so a group's metrics are the job's.
    const group = { ScheduleGroup: svc.schedule.groupName };
    const s = (name: string) => metric(NAMESPACES.scheduler, name, group, "Sum");
    schedule = {
      attempts: line("Invocation attempts", s("InvocationAttemptCount")),
      targetErrors: line("Target errors (RunTask refused)", s("TargetErrorCount")),
      failedRuns: math("Failed runs", "FILL(dropped, 0) + FILL(dlq, 0) + FILL(dlq_failed, 0)", {
        dropped: s("InvocationDroppedCount"),
        dlq: s("InvocationsSentToDeadLetterCount"),
        dlq_failed: s("InvocationsFailedToBeSentToDeadLetterCount"),
      }),
    };
  }

  let serviceConnect: ServiceSignals["serviceConnect"];
  if (options.mesh && (options.called ?? true) && ecsServiceName && LISTENING_KINDS.includes(svc.kind)) {
    if (!svc.discoveryName) throw missing("discoveryName");
    // Inbound metrics carry the server's ClusterName/ServiceName/DiscoveryName; the per-target
    // metrics (status codes, response time) are published for TargetDiscoveryName alone (with
    // ServiceName they are split by *calling* service).
    const inbound = { ClusterName: cluster, ServiceName: ecsServiceName, DiscoveryName: svc.discoveryName };
    const target = { TargetDiscoveryName: svc.discoveryName };
    serviceConnect = {
      requests: line("Mesh requests", metric(NAMESPACES.ecs, "RequestCount", inbound, "Sum")),
      latencyP99: line(
        "Mesh response time p99 (ms)",
        metric(NAMESPACES.ecs, "TargetResponseTime", target, "p99"),
      ),
      latency: LATENCY_PERCENTILES.map((p) =>
        line(`Mesh response time ${p} (ms)`, metric(NAMESPACES.ecs, "TargetResponseTime", target, p)),
      ),
      target5xx: line("Mesh 5xx", metric(NAMESPACES.ecs, "HTTPCode_Target_5XX_Count", target, "Sum")),
      statusCodes: STATUS_CLASSES.map((c) =>
        line(`Mesh ${c.toLowerCase()}`, metric(NAMESPACES.ecs, `HTTPCode_Target_${c}_Count`, target, "Sum")),
      ),
      activeConnections: line(
        "Mesh active connections",
        metric(NAMESPACES.ecs, "ActiveConnectionCount", inbound, "Maximum"),
      ),
    };
  }

  const lm = options.logMetrics;
  const logs = {
    errors: line("Error log lines", lm.errors),
    ...(lm.application && { application: line("Application pattern matches", lm.application) }),
  };

  const appRequests = lm.requests && {
    latency: LATENCY_PERCENTILES.map((p) =>
      line(`Response time ${p} (ms, app logs)`, { ...lm.requests!.duration, stat: p }),
    ),
    statusCodes: lm.requests.statusClasses.map((m, i) =>
      line(`${STATUS_CLASSES[i].toLowerCase()} (app logs)`, m),
    ),
  };

  return { name: svc.name, kind: svc.kind, ...base, web, queue, schedule, serviceConnect, logs, appRequests };
}

function targetGroupSignals(color: string, tg: TargetGroupHandle, loadBalancer: string): TargetGroupSignals {
  const dims = { TargetGroup: tg.arnSuffix, LoadBalancer: loadBalancer };
  const alb = (name: string, stat: string) => metric(NAMESPACES.alb, name, dims, stat);
  return {
    color,
    requests: line(`Requests (${color})`, alb("RequestCount", "Sum")),
    latency: LATENCY_PERCENTILES.map((p) =>
      line(`Response time ${p} (${color})`, alb("TargetResponseTime", p)),
    ),
    target4xx: line(`Target 4xx (${color})`, alb("HTTPCode_Target_4XX_Count", "Sum")),
    target5xx: line(`Target 5xx (${color})`, alb("HTTPCode_Target_5XX_Count", "Sum")),
    statusCodes: STATUS_CLASSES.map((c) =>
      line(`Target ${c.toLowerCase()} (${color})`, alb(`HTTPCode_Target_${c}_Count`, "Sum")),
    ),
    healthyHosts: line(`Healthy targets (${color})`, alb("HealthyHostCount", "Minimum")),
    unhealthyHosts: line(`Unhealthy targets (${color})`, alb("UnHealthyHostCount", "Maximum")),
  };
}

/**
 * Load balancer-wide signals: what the ALB itself answers (no target group involved).
 * @param arnSuffix the ALB's `app/<name>/<id>` (the `LoadBalancer` dimension)
 */
export function loadBalancerSignals(arnSuffix: string) {
  const dims = { LoadBalancer: arnSuffix };
  const alb = (name: string, stat: string) => metric(NAMESPACES.alb, name, dims, stat);
  return {
    requests: line("ALB requests", alb("RequestCount", "Sum")),
    elb4xx: line("ALB 4xx (load balancer)", alb("HTTPCode_ELB_4XX_Count", "Sum")),
    elb5xx: line("ALB 5xx (load balancer)", alb("HTTPCode_ELB_5XX_Count", "Sum")),
    target5xx: line("Target 5xx (all services)", alb("HTTPCode_Target_5XX_Count", "Sum")),
    latencyP99: line("Response time p99", alb("TargetResponseTime", "p99")),
  };
}

/** Aurora cluster signals (cluster-level aggregates, dimension `DBClusterIdentifier`). */
export function databaseSignals(clusterIdentifier: string) {
  const dims = { DBClusterIdentifier: clusterIdentifier };
  const rds = (name: string, stat: string) => metric(NAMESPACES.rds, name, dims, stat);
  return {
    cpu: line("Database CPU %", rds("CPUUtilization", "Average")),
    connections: line("Database connections", rds("DatabaseConnections", "Maximum")),
    freeableMemory: line("Freeable memory (bytes)", rds("FreeableMemory", "Minimum")),
  };
}

export type DatabaseSignals = ReturnType<typeof databaseSignals>;
export type LoadBalancerSignals = ReturnType<typeof loadBalancerSignals>;
