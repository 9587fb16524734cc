import { Construct } from "constructs";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { ServiceConfig } from "../../config/schema";
import type { Naming } from "../naming";
import { ValidationError } from "../errors";
import { Step, unreachableSteps } from "./scale-out-timing";

export interface ServiceScalingProps {
  readonly naming: Naming;
  readonly serviceName: string;
  readonly service: ServiceConfig;
  readonly clusterName: string;
  /** The ECS service's name token (makes the target depend on the service). */
  readonly ecsServiceName: string;
  /** ALB and target group ARN suffixes, for request count per target (web). @default none */
  readonly loadBalancer?: {
    readonly arnSuffix: string;
    readonly targetGroupArnSuffix: string;
    /**
     * The green target group of a CodeDeploy service. Production traffic moves to it at the first
     * deployment, and back at the next, so requests are then counted over both groups.
     * @default none: the ALB's own per-target metric of the one target group
     */
    readonly alternateTargetGroupArnSuffix?: string;
  };
  /**
   * Minimum tasks (a Terraform expression is fine: 0 until the first release, see
   * release-record.ts). @default the service's minCount
   */
  readonly minCapacity?: number;
  /**
   * `replace_triggered_by` entries: the ECS service's id, so a replaced service (strategy switch,
   * replaced target groups) gets its scalable target registered again. @default none
   */
  readonly replaceWith?: readonly string[];
  /** The worker's queue name, for backlog per task. @default none */
  readonly queueName?: string;
}

/** Capacity added by each step of a fast scale-out, from the smallest breach to the largest. */
export const FAST_SCALE_OUT_STEPS_PERCENT = [10, 30, 50] as const;

/** One fast scale-out path: a one-minute alarm driving a step-scaling policy. */
export interface FastScaleOutSpec {
  /** `cpu`, `memory` or `requests`: goes into the policy and alarm names. */
  readonly key: "cpu" | "memory" | "requests";
  /** The target-tracking target this path backs up. */
  readonly target: number;
  /**
   * The alarm threshold: {@link stepMargin} above the target, so one noisy minute at the target
   * does not add tasks on top of target tracking (AWS applies the larger of the two capacities).
   * The promise is a decision within 2 minutes of load crossing it.
   */
  readonly threshold: number;
  /** Highest value the metric can take (100 % for utilization); none for request counts. */
  readonly ceiling?: number;
  readonly steps: readonly Step[];
  readonly periodSeconds: number;
  readonly datapointsToAlarm: number;
  readonly cooldownSeconds: number;
}

/**
 * The fast scale-out paths of a service: one per tracked CPU, memory and request-count target,
 * each a one-minute, one-datapoint alarm a few points above the target with steps that grow with the breach
 * (+10 %, +30 %, +50 % of the running tasks, at least one task). The steps split the room
 * between the target and the metric's ceiling (100 % for utilization; one target's worth for
 * requests) in three, so the largest is reached at two thirds of it: every step is reachable.
 * Scale-in is left to target tracking, so the two never fight.
 */
export function fastScaleOutSpecs(scaling: ServiceConfig["scaling"]): FastScaleOutSpec[] {
  if (!scaling.fastScaleOut) return [];
  const common = {
    periodSeconds: 60,
    datapointsToAlarm: 1,
    cooldownSeconds: scaling.scaleOutCooldownSeconds,
  };
  const specs: FastScaleOutSpec[] = [];
  const add = (key: FastScaleOutSpec["key"], target: number, ceiling?: number) => {
    const threshold = target + stepMargin(key, target);
    // Utilization: the room up to 100 %; requests: one target's worth above the threshold.
    const room = ceiling === undefined ? target : ceiling - threshold;
    specs.push({ key, target, threshold, ceiling, steps: growingSteps(room), ...common });
  };
  add("cpu", scaling.cpuTargetPercent, 100);
  if (scaling.memoryTargetPercent !== undefined) add("memory", scaling.memoryTargetPercent, 100);
  if (scaling.requestsPerTarget !== undefined) add("requests", scaling.requestsPerTarget);
  return specs;
}

/** Percentage points a utilization step alarm sits above its target (less when room is short). */
export const STEP_MARGIN_PERCENT_POINTS = 5;
/** Fraction of `requestsPerTarget` a request step alarm sits above it. */
export const STEP_MARGIN_REQUEST_FRACTION = 0.1;

/**
 * How far above the target the step alarm fires: {@link STEP_MARGIN_PERCENT_POINTS} points of
 * utilization, at most a quarter of the room to 100 % (so the steps keep room to be reached);
 * a tenth of the requests per target, at least one.
 */
export function stepMargin(key: FastScaleOutSpec["key"], target: number): number {
  if (key === "requests") return Math.max(1, Math.ceil(target * STEP_MARGIN_REQUEST_FRACTION));
  return Math.max(0, Math.min(STEP_MARGIN_PERCENT_POINTS, Math.floor((100 - target) / 4)));
}

/** Steps over `room` above the threshold: bounds at thirds, whole numbers, none empty. */
function growingSteps(room: number): Step[] {
  const bounds = [...new Set([0, Math.floor(room / 3), Math.floor((2 * room) / 3)])].filter(
    (b, i) => i === 0 || b > 0,
  );
  const pct = FAST_SCALE_OUT_STEPS_PERCENT.slice(FAST_SCALE_OUT_STEPS_PERCENT.length - bounds.length);
  return bounds.map((lowerBound, i) => ({
    lowerBound,
    ...(i + 1 < bounds.length ? { upperBound: bounds[i + 1] } : {}),
    adjustmentPercent: pct[i],
  }));
}

/**
 * Application Auto Scaling of one ECS service: target tracking on CPU (and memory, ALB
 * requests per target, a custom metric per task or the worker's backlog per task, as
 * configured), plus, per CPU, memory and request-count target, a step-scaling policy on a
 * one-minute alarm so scale-out is decided within 2 minutes of load (target tracking's own
 * alarms need 3 minutes of data; see scale-out-timing.ts). These alarms only scale: they never
 * page and never roll a deployment back.
 */
export class ServiceScaling extends Construct {
  readonly target: AppautoscalingTarget;
  readonly policies: AppautoscalingPolicy[] = [];
  /** The fast scale-out paths: spec, step policy and the alarm that drives it. */
  readonly fastScaleOut: {
    readonly spec: FastScaleOutSpec;
    readonly policy: AppautoscalingPolicy;
    readonly alarm: CloudwatchMetricAlarm;
  }[] = [];
  private readonly naming: Naming;
  private readonly serviceName: string;

  constructor(scope: Construct, id: string, props: ServiceScalingProps) {
    super(scope, id);
    const { naming, serviceName: name, service: svc } = props;
    this.naming = naming;
    this.serviceName = name;
    const scaling = svc.scaling;
    if (svc.kind === "scheduled") {
      throw new ValidationError(`fargate-service ${name}: scheduled jobs have no ECS service to scale`, this);
    }
    if (scaling.requestsPerTarget !== undefined && !props.loadBalancer) {
      throw new ValidationError(
        `fargate-service ${name}: scaling.requestsPerTarget needs a load balancer target group`,
        this,
      );
    }
    if (svc.kind === "worker" && !props.queueName) {
      throw new ValidationError(
        `fargate-service ${name}: a worker scales on its queue backlog and needs queueName`,
        this,
      );
    }

    this.target = new AppautoscalingTarget(this, "target", {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: `service/${props.clusterName}/${props.ecsServiceName}`,
      // Registering a target moves the service's desired count into [min, max] at once, so
      // before the first release (no image yet) the minimum must be 0.
      minCapacity: props.minCapacity ?? svc.minCount,
      maxCapacity: svc.maxCount,
      // The release CLI suspends dynamic scaling for the length of a CodeDeploy deployment and
      // resumes it afterwards: the suspension is its, not Terraform's.
      lifecycle: {
        ignoreChanges: ["suspended_state"],
        ...(props.replaceWith?.length ? { replaceTriggeredBy: [...props.replaceWith] } : {}),
      },
    });

    const cooldowns = {
      scaleInCooldown: scaling.scaleInCooldownSeconds,
      scaleOutCooldown: scaling.scaleOutCooldownSeconds,
    };
    const track = (key: string, targetValue: number, metric: object) =>
      this.policy(key, {
        policyType: "TargetTrackingScaling",
        targetTrackingScalingPolicyConfiguration: { targetValue, ...cooldowns, ...metric },
      });
    const predefined = (predefinedMetricType: string, resourceLabel?: string) => ({
      predefinedMetricSpecification: { predefinedMetricType, resourceLabel },
    });

    track("cpu", scaling.cpuTargetPercent, predefined("ECSServiceAverageCPUUtilization"));
    if (scaling.memoryTargetPercent !== undefined) {
      track("memory", scaling.memoryTargetPercent, predefined("ECSServiceAverageMemoryUtilization"));
    }
    // RunningTaskCount comes from Container Insights, which the cluster enables.
    const runningTasks = metricStat("tasks", "Average", "ECS/ContainerInsights", "RunningTaskCount", {
      ClusterName: props.clusterName,
      ServiceName: props.ecsServiceName,
    });
    const perTask = (expression: string, label: string) => ({
      id: "per_task",
      expression,
      label,
      returnData: true,
    });
    // ALBRequestCountPerTarget names one target group: for a CodeDeploy service it would go blind
    // (no data, which also blocks scale-in) once a deployment moves traffic to green. Requests over
    // both groups per running task instead; the idle colour has no data points, FILL keeps the
    // sum defined.
    const requestsPerTask = (lb: NonNullable<ServiceScalingProps["loadBalancer"]>) => {
      const requests = (id: string, targetGroup: string) =>
        metricStat(id, "Sum", "AWS/ApplicationELB", "RequestCount", {
          LoadBalancer: lb.arnSuffix,
          TargetGroup: targetGroup,
        });
      const green = lb.alternateTargetGroupArnSuffix;
      return green === undefined
        ? [
            requests("blue", lb.targetGroupArnSuffix),
            runningTasks,
            perTask("FILL(blue, 0) / tasks", "Requests per task"),
          ]
        : [
            requests("blue", lb.targetGroupArnSuffix),
            requests("green", green),
            runningTasks,
            perTask("(FILL(blue, 0) + FILL(green, 0)) / tasks", "Requests per task"),
          ];
    };
    if (scaling.requestsPerTarget !== undefined && props.loadBalancer) {
      const lb = props.loadBalancer;
      track(
        "requests",
        scaling.requestsPerTarget,
        lb.alternateTargetGroupArnSuffix === undefined
          ? predefined("ALBRequestCountPerTarget", `${lb.arnSuffix}/${lb.targetGroupArnSuffix}`)
          : { customizedMetricSpecification: { metrics: requestsPerTask(lb) } },
      );
    }
    if (scaling.customMetric) {
      const m = scaling.customMetric;
      const dimensions = customMetricDimensions(props.naming, name, m.dimensions);
      const custom = metricStat("custom", m.statistic, m.namespace, m.metricName, dimensions);
      // Target tracking needs a value that falls as tasks are added: a total the app publishes
      // (pending orders) is divided by the running tasks; a value that is already per task
      // (a latency) is tracked as it is (`divideByTasks: false`).
      track("custom", m.targetValue, {
        customizedMetricSpecification: {
          metrics: m.divideByTasks
            ? [custom, runningTasks, perTask("custom / tasks", `${m.metricName} per task`)]
            : [{ ...custom, returnData: true }],
        },
      });
    }
    if (props.queueName) {
      // Backlog per task = visible messages / running tasks (metric math).
      track("backlog", scaling.backlogPerTask, {
        customizedMetricSpecification: {
          metrics: [
            metricStat("visible", "Sum", "AWS/SQS", "ApproximateNumberOfMessagesVisible", {
              QueueName: props.queueName,
            }),
            runningTasks,
            { ...perTask("visible / tasks", "Backlog per task"), id: "backlog_per_task" },
          ],
        },
      });
    }

    for (const spec of fastScaleOutSpecs(scaling)) {
      const unreachable = unreachableSteps(spec.threshold, spec.steps, spec.ceiling);
      if (unreachable.length > 0)
        throw new ValidationError(
          `services.${name}.scaling: a ${spec.key} target of ${spec.target} leaves no room below ${spec.ceiling} for a scale-out step; lower it (at most ${(spec.ceiling ?? 0) - 1}) or set fastScaleOut: false`,
          this,
        );
      const step = this.policy(`fast-${spec.key}`, {
        policyType: "StepScaling",
        stepScalingPolicyConfiguration: {
          adjustmentType: "PercentChangeInCapacity",
          minAdjustmentMagnitude: 1,
          cooldown: spec.cooldownSeconds,
          metricAggregationType: "Average",
          // Bounds are relative to the alarm threshold; scale-out only.
          stepAdjustment: spec.steps.map((st) => ({
            metricIntervalLowerBound: String(st.lowerBound),
            ...(st.upperBound !== undefined ? { metricIntervalUpperBound: String(st.upperBound) } : {}),
            scalingAdjustment: st.adjustmentPercent,
          })),
        },
      });
      const lb = props.loadBalancer;
      const metric =
        spec.key === "requests" && lb
          ? {
              metricQuery: requestsPerTask(lb).map((q) =>
                "metricStat" in q
                  ? {
                      id: q.id,
                      returnData: false,
                      metric: {
                        namespace: q.metricStat.metric.namespace,
                        metricName: q.metricStat.metric.metricName,
                        dimensions: Object.fromEntries(
                          q.metricStat.metric.dimensions.map((d) => [d.name, d.value]),
                        ),
                        stat: q.metricStat.stat,
                        period: spec.periodSeconds,
                      },
                    }
                  : { id: q.id, expression: q.expression, label: q.label, returnData: true },
              ),
            }
          : {
              namespace: "AWS/ECS",
              metricName: spec.key === "cpu" ? "CPUUtilization" : "MemoryUtilization",
              dimensions: { ClusterName: props.clusterName, ServiceName: props.ecsServiceName },
              statistic: "Average",
              period: spec.periodSeconds,
            };
      const alarm = new CloudwatchMetricAlarm(this, `fast-${spec.key}-alarm`, {
        alarmName: naming.name("alarm", `${name}-scale-out-${spec.key}`),
        alarmDescription: `${name}: ${spec.key} at or above ${spec.threshold} (target ${spec.target} plus a margin against one noisy minute): scale out now (scaling only: never pages, never rolls back)`,
        ...metric,
        // One one-minute datapoint: decided within 60 s of data (see scale-out-timing.ts).
        evaluationPeriods: spec.datapointsToAlarm,
        datapointsToAlarm: spec.datapointsToAlarm,
        threshold: spec.threshold,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [step.arn],
      });
      this.fastScaleOut.push({ spec, policy: step, alarm });
    }
  }

  private policy(
    key: string,
    config: Omit<
      ConstructorParameters<typeof AppautoscalingPolicy>[2],
      "name" | "resourceId" | "scalableDimension" | "serviceNamespace"
    >,
  ): AppautoscalingPolicy {
    const policy = new AppautoscalingPolicy(this, `${key}-policy`, {
      name: this.naming.name("scalingPolicy", `${this.serviceName}-${key}`),
      // Attributes of the target (not the props) so every policy waits for its registration.
      resourceId: this.target.resourceId,
      scalableDimension: this.target.scalableDimension,
      serviceNamespace: this.target.serviceNamespace,
      ...config,
    });
    this.policies.push(policy);
    return policy;
  }
}

/** One input of a target-tracking metric-math specification. */
/** Dimensions every custom scaling metric carries, and the task variables holding their values. */
export const CUSTOM_METRIC_SCOPE = {
  Blueprint: "METRIC_BLUEPRINT",
  Environment: "METRIC_ENVIRONMENT",
} as const;

/**
 * The custom scaling metric's dimensions: the declared ones plus `Blueprint` and `Environment`.
 * Environments of one account publish into the same namespace, and IAM can only scope
 * `PutMetricData` by namespace (`cloudwatch:namespace`), not by dimension: without these, dev
 * and staging would publish the same series and each would scale on both. The task gets the
 * values as {@link CUSTOM_METRIC_SCOPE} variables to put on its EMF line or API call.
 */
export function customMetricDimensions(
  naming: Naming,
  service: string,
  declared: Readonly<Record<string, string>>,
): Record<string, string> {
  for (const key of Object.keys(CUSTOM_METRIC_SCOPE))
    if (key in declared)
      throw new ValidationError(
        `services.${service}.scaling.customMetric.dimensions.${key}: set by the platform (blueprint and environment of the task); remove it`,
      );
  return { ...declared, Blueprint: naming.blueprint, Environment: naming.environmentSuffix };
}

function metricStat(
  id: string,
  stat: string,
  namespace: string,
  metricName: string,
  dimensions: Readonly<Record<string, string>>,
) {
  return {
    id,
    returnData: false,
    metricStat: {
      stat,
      metric: {
        namespace,
        metricName,
        dimensions: Object.entries(dimensions).map(([name, value]) => ({ name, value })),
      },
    },
  };
}
