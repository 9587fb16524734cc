import { Construct } from "constructs";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { ServiceConfig } from "../../config/schema";
import type { Naming } from "../naming";
import { ValidationError } from "../errors";

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

/** How far above the CPU target the fast step-scaling alarm fires. */
export const FAST_SCALE_OUT_MARGIN_PERCENT = 15;

/**
 * Application Auto Scaling of one ECS service: target tracking on CPU (and memory, ALB
 * requests per target, a custom metric or the worker's backlog per task, as configured),
 * plus a step-scaling policy on a 1-minute CPU alarm so scale-out starts within 2 minutes
 * (target tracking's own alarms need 3 minutes of data).
 */
export class ServiceScaling extends Construct {
  readonly target: AppautoscalingTarget;
  readonly policies: AppautoscalingPolicy[] = [];
  readonly fastScaleOutAlarm?: CloudwatchMetricAlarm;
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
    const runningTasks = {
      id: "tasks",
      returnData: false,
      metricStat: {
        stat: "Average",
        metric: {
          namespace: "ECS/ContainerInsights",
          metricName: "RunningTaskCount",
          dimensions: [
            { name: "ClusterName", value: props.clusterName },
            { name: "ServiceName", value: props.ecsServiceName },
          ],
        },
      },
    };
    if (scaling.requestsPerTarget !== undefined && props.loadBalancer) {
      const {
        arnSuffix,
        targetGroupArnSuffix,
        alternateTargetGroupArnSuffix: alternate,
      } = props.loadBalancer;
      // ALBRequestCountPerTarget names one target group: for a CodeDeploy service it would go blind
      // (no data, which also blocks scale-in) once a deployment moves traffic to green.
      const requests = (id: string, targetGroup: string) => ({
        id,
        returnData: false,
        metricStat: {
          stat: "Sum",
          metric: {
            namespace: "AWS/ApplicationELB",
            metricName: "RequestCount",
            dimensions: [
              { name: "LoadBalancer", value: arnSuffix },
              { name: "TargetGroup", value: targetGroup },
            ],
          },
        },
      });
      track(
        "requests",
        scaling.requestsPerTarget,
        alternate === undefined
          ? predefined("ALBRequestCountPerTarget", `${arnSuffix}/${targetGroupArnSuffix}`)
          : {
              customizedMetricSpecification: {
                metrics: [
                  requests("blue", targetGroupArnSuffix),
                  requests("green", alternate),
                  runningTasks,
                  {
                    // The idle colour has no data points; FILL keeps the sum defined.
                    id: "requests_per_task",
                    expression: "(FILL(blue, 0) + FILL(green, 0)) / tasks",
                    label: "Requests per task",
                    returnData: true,
                  },
                ],
              },
            },
      );
    }
    if (scaling.customMetric) {
      const m = scaling.customMetric;
      track("custom", m.targetValue, {
        customizedMetricSpecification: {
          namespace: m.namespace,
          metricName: m.metricName,
          statistic: m.statistic,
          dimensions: Object.entries(m.dimensions).map(([dim, value]) => ({ name: dim, value })),
        },
      });
    }
    if (props.queueName) {
      // Backlog per task = visible messages / running tasks (metric math).
      track("backlog", scaling.backlogPerTask, {
        customizedMetricSpecification: {
          metrics: [
            {
              id: "visible",
              returnData: false,
              metricStat: {
                stat: "Sum",
                metric: {
                  namespace: "AWS/SQS",
                  metricName: "ApproximateNumberOfMessagesVisible",
                  dimensions: [{ name: "QueueName", value: props.queueName }],
                },
              },
            },
            runningTasks,
            {
              id: "backlog_per_task",
              expression: "visible / tasks",
              label: "Backlog per task",
              returnData: true,
            },
          ],
        },
      });
    }

    if (scaling.fastScaleOut) {
      const step = this.policy("fast-cpu", {
        policyType: "StepScaling",
        stepScalingPolicyConfiguration: {
          adjustmentType: "PercentChangeInCapacity",
          minAdjustmentMagnitude: 1,
          cooldown: scaling.scaleOutCooldownSeconds,
          metricAggregationType: "Average",
          // Bounds are relative to the alarm threshold; scale-out only (scale-in is left to
          // target tracking, so the two never fight).
          stepAdjustment: [
            { metricIntervalLowerBound: "0", metricIntervalUpperBound: "15", scalingAdjustment: 25 },
            { metricIntervalLowerBound: "15", scalingAdjustment: 50 },
          ],
        },
      });
      this.fastScaleOutAlarm = new CloudwatchMetricAlarm(this, "fast-cpu-alarm", {
        alarmName: naming.name("alarm", `${name}-scale-out-cpu`),
        alarmDescription: `CPU of ${name} well above its target: scale out now`,
        namespace: "AWS/ECS",
        metricName: "CPUUtilization",
        dimensions: { ClusterName: props.clusterName, ServiceName: props.ecsServiceName },
        statistic: "Average",
        // Two 1-minute periods: the policy fires within 2 minutes of sustained load.
        period: 60,
        evaluationPeriods: 2,
        datapointsToAlarm: 2,
        threshold: Math.min(scaling.cpuTargetPercent + FAST_SCALE_OUT_MARGIN_PERCENT, 100),
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions: [step.arn],
      });
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
