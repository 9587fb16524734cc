/**
 * The paging signal family (docs/signals.md): per service, user-visible impact (5xx rate and
 * unhealthy targets for `web`, message age and dead letters for `worker`, failed runs for
 * `scheduled`, tasks below the minimum, error log lines) and saturation at maximum capacity (CPU
 * or memory high while the service already runs `maxCount` tasks: below it, autoscaling is the
 * answer, not a human), the database's CPU and connections, and a composite alarm per service
 * that rolls its alarms into one "is this service healthy" state.
 *
 * Only top-level alarms notify (the composites and the database alarms), so an incident pages
 * once. A composite reads only alarms of this stack: CloudWatch refuses to delete a metric alarm
 * a composite depends on (DeleteAlarms API reference), so a composite over the platform's
 * deployment alarms would make every platform apply that removes one fail. The SNS topic is
 * encrypted with a customer-managed key of this stack.
 */
import { Construct } from "constructs";
import { CloudwatchCompositeAlarm } from "@cdktf/provider-aws/lib/cloudwatch-composite-alarm";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import {
  CloudwatchMetricAlarm,
  CloudwatchMetricAlarmConfig,
} from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import type { Naming } from "../naming";
import { math, metric } from "../dashboard/metrics";
import type { DatabaseSignals, Series, ServiceSignals } from "../dashboard/metrics";
import { lifecyclePolicy, LifecyclePolicy, statefulLifecycle } from "../lifecycle";

export interface AlarmThresholds {
  readonly cpuPercent: number;
  readonly memoryPercent: number;
  /** Percent of requests answered 5xx by a web service's targets. */
  readonly http5xxRatePercent: number;
  readonly queueAgeSeconds: number;
  /** Error log lines per 5 minutes. */
  readonly errorLogLines: number;
  readonly dbCpuPercent: number;
  readonly dbConnections: number;
}

export interface AlarmedService {
  readonly signals: ServiceSignals;
  /** Fewest tasks the service should run; below it the tasks alarm fires (none when 0). */
  readonly minCount: number;
  /** Most tasks autoscaling may run: CPU and memory page only at this count. */
  readonly maxCount: number;
  /**
   * One-minute periods of unhealthy targets before the unhealthy-hosts alarm pages: longer than
   * a healthy start can show (see `unhealthyAlarmPeriods`). @default 3
   */
  readonly unhealthyHostPeriods?: number;
  /** Dashboard to open, quoted in every alarm description. */
  readonly dashboardUrl: string;
  /**
   * Scheduled jobs: how to recognise the job's tasks in ECS task state change events, so a run
   * whose container fails counts as a failed run. @default none (only scheduler failures count)
   */
  readonly failedRunEvents?: FailedRunEvents;
}

/** What identifies a scheduled job's tasks in ECS "Task State Change" events. */
export interface FailedRunEvents {
  readonly clusterArn: string;
  /** RunTask's default task group is `family:<family>` (the scheduler sets no group). */
  readonly taskDefinitionFamily: string;
  /** The application container, whose exit code decides whether the run succeeded. */
  readonly containerName: string;
}

export interface PlatformAlarmsProps {
  readonly naming: Naming;
  /** Region of the alarms (goes into the KMS key and topic policy conditions). */
  readonly region: string;
  /** Subject of the shared resources' names (topic, key alias): the blueprint name. */
  readonly subject: string;
  readonly services: readonly AlarmedService[];
  /** Database signals, where the blueprint has a database. @default none */
  readonly database?: DatabaseSignals;
  readonly thresholds: AlarmThresholds;
  /** Dashboard quoted in the database alarms' descriptions (the overview). */
  readonly overviewDashboardUrl: string;
  /** E-mail address subscribed to the topic. @default none */
  readonly alarmEmail?: string;
  /** The topic key's deletion window (modules/lifecycle). @default ephemeral */
  readonly lifecycle?: LifecyclePolicy;
}

export type TreatMissingData = "breaching" | "notBreaching" | "ignore" | "missing";

/**
 * Minutes in a row the desired task count must exceed the running count before it pages: longer
 * than a task takes to be placed, pull its image and pass its start (a few minutes), so a normal
 * scale-out or release never pages.
 */
export const TASKS_PENDING_MINUTES = 10;

/** One alarm, before it is bound to names and the topic. */
export interface AlarmSpec {
  /** Short key, unique per service (`cpu`, `http-5xx`, ...): goes into the alarm name. */
  readonly key: string;
  /** What is wrong when the alarm fires, for the description. */
  readonly summary: string;
  readonly series: Series;
  readonly comparison: "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold";
  readonly threshold: number;
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
}

/**
 * The alarms of one service. `treat_missing_data` is chosen per alarm: AWS publishes most of
 * these metrics only while there is something to measure, so "no data" usually means "nothing
 * wrong" — except for the running-task count, where silence is the outage.
 */
export function serviceAlarmSpecs(
  svc: AlarmedService,
  t: AlarmThresholds,
  /** EventBridge rule that forwards the job's failed runs; its invocations count as failures. */
  failedRunRule?: string,
): AlarmSpec[] {
  const sig = svc.signals;
  // 3 of 5 one-minute datapoints: a sustained condition, not a single spike, pages.
  const sustained = { periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 3 } as const;
  const specs: AlarmSpec[] = [];
  const tasks = sig.tasks;
  if (tasks)
    for (const [key, what, series, threshold] of [
      ["cpu", "CPU", sig.cpu, t.cpuPercent],
      ["memory", "memory", sig.memory, t.memoryPercent],
    ] as const)
      specs.push({
        key: `${key}-at-max`,
        summary: `${what} above ${threshold}% of the reserved ${what} while running the maximum of ${svc.maxCount} tasks (autoscaling can add no more)`,
        series: atMaxCapacity(`${what} % at maximum capacity`, series, tasks.running, svc.maxCount),
        comparison: "GreaterThanThreshold",
        threshold,
        ...sustained,
        // ECS publishes utilization only while tasks run; no tasks is the tasks alarm's job.
        treatMissingData: "notBreaching",
      });
  if (sig.tasks && svc.minCount > 0)
    specs.push({
      key: "tasks",
      summary: `fewer than ${svc.minCount} running tasks`,
      series: sig.tasks.running,
      comparison: "LessThanThreshold",
      threshold: svc.minCount,
      periodSeconds: 60,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      // Container Insights stops reporting a service whose tasks are all gone: silence here is
      // the outage itself.
      treatMissingData: "breaching",
    });
  if (sig.tasks && svc.maxCount > 0) {
    const { desired, running } = sig.tasks;
    if (desired.kind !== "metric" || running.kind !== "metric")
      throw new Error("alarms: tasks-pending needs plain metrics for desired and running tasks");
    specs.push({
      key: "tasks-pending",
      summary: `fewer tasks running than desired for ${TASKS_PENDING_MINUTES} minutes: autoscaling or a release cannot start tasks (subnet IPs, Fargate capacity, image pull); the at-max pager stays silent`,
      series: math("Desired minus running tasks", "desired - running", {
        desired: desired.metric,
        running: running.metric,
      }),
      comparison: "GreaterThanThreshold",
      threshold: 0,
      periodSeconds: 60,
      evaluationPeriods: TASKS_PENDING_MINUTES,
      datapointsToAlarm: TASKS_PENDING_MINUTES,
      // Container Insights silence is the tasks alarm's (breaching there).
      treatMissingData: "notBreaching",
    });
  }
  specs.push({
    key: "log-errors",
    summary: `${t.errorLogLines} or more error log lines in 5 minutes`,
    series: sig.logs.errors,
    comparison: "GreaterThanOrEqualToThreshold",
    threshold: t.errorLogLines,
    periodSeconds: 300,
    evaluationPeriods: 1,
    datapointsToAlarm: 1,
    // The filter publishes 0 for quiet minutes; no data at all means no log events, which
    // the tasks alarm covers.
    treatMissingData: "notBreaching",
  });
  if (sig.web)
    specs.push(
      {
        key: "http-5xx",
        summary: `more than ${t.http5xxRatePercent}% of requests answered 5xx by the targets`,
        series: sig.web.errorRate,
        comparison: "GreaterThanThreshold",
        threshold: t.http5xxRatePercent,
        ...sustained,
        // No requests yields no rate: an idle service is not failing.
        treatMissingData: "notBreaching",
      },
      {
        key: "unhealthy-hosts",
        summary: "targets failing the load balancer health check",
        series: sig.web.unhealthyHosts,
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        periodSeconds: 60,
        evaluationPeriods: svc.unhealthyHostPeriods ?? 3,
        datapointsToAlarm: svc.unhealthyHostPeriods ?? 3,
        // The idle blue/green target group reports nothing; missing targets are the tasks alarm's.
        treatMissingData: "notBreaching",
      },
    );
  if (sig.queue) {
    specs.push(
      {
        key: "queue-age",
        summary: `oldest message older than ${t.queueAgeSeconds} s (consumers stalled or too few)`,
        series: sig.queue.oldestAgeSeconds,
        comparison: "GreaterThanThreshold",
        threshold: t.queueAgeSeconds,
        periodSeconds: 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 3,
        // SQS stops publishing for a queue idle for hours: an empty queue.
        treatMissingData: "notBreaching",
      },
      {
        key: "dead-letters",
        summary: "messages in the dead-letter queue (processing failed repeatedly)",
        series: sig.queue.deadLetterVisible,
        comparison: "GreaterThanOrEqualToThreshold",
        threshold: 1,
        periodSeconds: 60,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        treatMissingData: "notBreaching",
      },
    );
  }
  if (sig.schedule) {
    const runs = sig.schedule.failedRuns;
    specs.push({
      key: "failed-runs",
      summary: failedRunRule
        ? "scheduled runs that failed: container exited non-zero, task failed to start, or the scheduler gave up"
        : "scheduled runs dropped after retries or sent to the dead-letter queue",
      series: failedRunRule
        ? math(runs.label, `${runs.expression} + FILL(exited, 0)`, {
            ...runs.inputs,
            // EventBridge publishes Invocations only for minutes in which the rule fired.
            exited: metric("AWS/Events", "Invocations", { RuleName: failedRunRule }, "Sum"),
          })
        : runs,
      comparison: "GreaterThanOrEqualToThreshold",
      threshold: 1,
      periodSeconds: 300,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // The scheduler publishes only when the schedule fires: no run, nothing failed.
      treatMissingData: "notBreaching",
    });
  }
  return specs;
}

/**
 * The utilization where the service runs its maximum task count, 0 elsewhere: high load below
 * the maximum is autoscaling's to answer (scaling signal), at the maximum it is a human's.
 * Metric math's IF(condition, trueValue, falseValue) (CloudWatch user guide, "Using math
 * expressions with CloudWatch metrics").
 */
export function atMaxCapacity(label: string, utilization: Series, running: Series, maxCount: number): Series {
  if (utilization.kind !== "metric" || running.kind !== "metric")
    throw new Error(`alarms: ${label} needs plain metrics for utilization and running tasks`);
  return math(label, `IF(tasks >= ${maxCount}, used, 0)`, {
    used: utilization.metric,
    tasks: running.metric,
  });
}

export function databaseAlarmSpecs(db: DatabaseSignals, t: AlarmThresholds): AlarmSpec[] {
  // Aurora Serverless v2 at 0 ACUs pauses and publishes nothing: not a failure.
  const common = {
    periodSeconds: 60,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
  } as const;
  return [
    {
      key: "cpu",
      summary: `database CPU above ${t.dbCpuPercent}%`,
      series: db.cpu,
      comparison: "GreaterThanThreshold",
      threshold: t.dbCpuPercent,
      ...common,
    },
    {
      key: "connections",
      summary: `more than ${t.dbConnections} database connections`,
      series: db.connections,
      comparison: "GreaterThanThreshold",
      threshold: t.dbConnections,
      ...common,
    },
  ];
}

/** The metric part of a metric alarm: one metric, or metric math whose result is evaluated. */
export function alarmMetric(
  series: Series,
  periodSeconds: number,
): Pick<
  CloudwatchMetricAlarmConfig,
  "namespace" | "metricName" | "dimensions" | "statistic" | "period" | "metricQuery"
> {
  if (series.kind === "metric") {
    const m = series.metric;
    return {
      namespace: m.namespace,
      metricName: m.metricName,
      dimensions: { ...m.dimensions },
      statistic: m.stat,
      period: periodSeconds,
    };
  }
  return {
    metricQuery: [
      ...Object.entries(series.inputs).map(([id, m]) => ({
        id,
        returnData: false,
        metric: {
          namespace: m.namespace,
          metricName: m.metricName,
          dimensions: { ...m.dimensions },
          stat: m.stat,
          period: periodSeconds,
        },
      })),
      { id: "result", expression: series.expression, label: series.label, returnData: true },
    ],
  };
}

export class PlatformAlarms extends Construct {
  readonly topic: SnsTopic;
  readonly key: KmsKey;
  /** Metric alarms by service name (database alarms under `database`). */
  readonly alarms: Readonly<Record<string, readonly CloudwatchMetricAlarm[]>>;
  /** One composite alarm per service. */
  readonly composites: Readonly<Record<string, CloudwatchCompositeAlarm>>;

  constructor(scope: Construct, id: string, props: PlatformAlarmsProps) {
    super(scope, id);
    const { naming } = props;
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const partition = new DataAwsPartition(this, "partition").partition;
    // Confused-deputy guard: CloudWatch may use the key and topic only for this account's alarms.
    const fromOurAlarms = [
      { test: "StringEquals", variable: "aws:SourceAccount", values: [account] },
      {
        test: "ArnLike",
        variable: "aws:SourceArn",
        values: [`arn:${partition}:cloudwatch:${props.region}:${account}:alarm:*`],
      },
    ];

    // Scheduled jobs: a rule per job forwards its failed runs (from ECS task state changes) to
    // the topic; the rule's invocations also feed the job's failed-runs alarm.
    const failedRunRules = props.services.flatMap((svc) =>
      svc.failedRunEvents
        ? [
            {
              service: svc.signals.name,
              rule: new CloudwatchEventRule(this, `${svc.signals.name}-failed-runs-rule`, {
                name: naming.name("eventRule", `${svc.signals.name}-failed-runs`),
                description: `${svc.signals.name}: scheduled runs whose task failed to start or whose container exited non-zero`,
                eventPattern: failedRunPattern(svc.failedRunEvents),
              }),
            },
          ]
        : [],
    );
    const failedRunRuleNames = new Map(failedRunRules.map((r) => [r.service, r.rule.name]));

    // A customer-managed key, because the AWS-managed alias/aws/sns key's policy cannot be
    // changed to let CloudWatch use it: alarms publishing to a topic encrypted with it are
    // silently dropped.
    const keyPolicy = new DataAwsIamPolicyDocument(this, "key-policy", {
      statement: [
        {
          sid: "AccountAdministersKey",
          principals: [{ type: "AWS", identifiers: [`arn:${partition}:iam::${account}:root`] }],
          actions: ["kms:*"],
          // In a key policy "*" is this key; delegating to the account's IAM policies (AWS's
          // default key policy) keeps the key manageable.
          resources: ["*"],
        },
        {
          sid: "CloudWatchAlarmsEncryptNotifications",
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
          actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
          resources: ["*"],
          condition: fromOurAlarms,
        },
        ...(failedRunRules.length > 0
          ? [
              {
                sid: "EventBridgeEncryptFailedRunNotifications",
                principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
                actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
                // No source conditions: EventBridge's KMS requests carry no aws:SourceArn or
                // aws:SourceAccount, so a conditioned grant would drop every notification.
                resources: ["*"],
              },
            ]
          : []),
      ],
    });
    this.key = new KmsKey(this, "key", {
      description: `Encrypts the alarm notifications topic ${naming.name("snsTopic", "alarms")}`,
      enableKeyRotation: true,
      // ephemeral: the shortest window (environments are destroyed and recreated often).
      deletionWindowInDays: (props.lifecycle ?? lifecyclePolicy()).kmsDeletionWindowDays,
      policy: keyPolicy.json,
      lifecycle: statefulLifecycle(props.lifecycle ?? lifecyclePolicy()),
    });
    new KmsAlias(this, "key-alias", {
      name: naming.name("kmsAlias", "alarms"),
      targetKeyId: this.key.keyId,
    });

    this.topic = new SnsTopic(this, "topic", {
      name: naming.name("snsTopic", "alarms"),
      kmsMasterKeyId: this.key.arn,
    });
    const topicPolicy = new DataAwsIamPolicyDocument(this, "topic-policy", {
      statement: [
        {
          sid: "CloudWatchAlarmsPublish",
          principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
          actions: ["sns:Publish"],
          resources: [this.topic.arn],
          condition: fromOurAlarms,
        },
        ...(failedRunRules.length > 0
          ? [
              {
                sid: "EventBridgeFailedRunRulesPublish",
                principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
                actions: ["sns:Publish"],
                resources: [this.topic.arn],
                condition: [
                  {
                    test: "ArnEquals",
                    variable: "aws:SourceArn",
                    values: failedRunRules.map((r) => r.rule.arn),
                  },
                ],
              },
            ]
          : []),
      ],
    });
    new SnsTopicPolicy(this, "topic-policy-attachment", { arn: this.topic.arn, policy: topicPolicy.json });
    if (props.alarmEmail)
      // The address must confirm the subscription from the e-mail AWS sends before it receives alarms.
      new SnsTopicSubscription(this, "email", {
        topicArn: this.topic.arn,
        protocol: "email",
        endpoint: props.alarmEmail,
      });
    for (const { service, rule } of failedRunRules)
      new CloudwatchEventTarget(this, `${service}-failed-runs-target`, {
        rule: rule.name,
        arn: this.topic.arn,
        // A readable page instead of the raw event: EventBridge escapes the values it quotes.
        inputTransformer: {
          inputPaths: {
            task: "$.detail.taskArn",
            stopCode: "$.detail.stopCode",
            reason: "$.detail.stoppedReason",
          },
          inputTemplate: `"${service}: scheduled run failed (<stopCode>): <reason>. Task <task>"`,
        },
      });

    const notify = [this.topic.arn];
    const alarm = (owner: string, spec: AlarmSpec, dashboardUrl: string, topLevel: boolean) =>
      new CloudwatchMetricAlarm(this, `${owner}-${spec.key}`, {
        alarmName: naming.name("alarm", `${owner}-${spec.key}`),
        alarmDescription: `${owner}: ${spec.summary}. Dashboard: ${dashboardUrl}`,
        comparisonOperator: spec.comparison,
        threshold: spec.threshold,
        evaluationPeriods: spec.evaluationPeriods,
        datapointsToAlarm: spec.datapointsToAlarm,
        treatMissingData: spec.treatMissingData,
        ...alarmMetric(spec.series, spec.periodSeconds),
        // Children of a composite stay silent: the composite pages, once per incident.
        ...(topLevel ? { alarmActions: notify, okActions: notify } : {}),
      });

    const alarms: Record<string, CloudwatchMetricAlarm[]> = {};
    const composites: Record<string, CloudwatchCompositeAlarm> = {};
    for (const svc of props.services) {
      const name = svc.signals.name;
      alarms[name] = serviceAlarmSpecs(svc, props.thresholds, failedRunRuleNames.get(name)).map((s) =>
        alarm(name, s, svc.dashboardUrl, false),
      );
      // Referencing the alarms' names (not the naming module's strings) makes Terraform create
      // them before the composite, which CloudWatch requires. Only this stack's alarms.
      const members = alarms[name].map((a) => a.alarmName);
      const rule = members.map((m) => `ALARM("${m}")`).join(" OR ");
      composites[name] = new CloudwatchCompositeAlarm(this, `${name}-health`, {
        alarmName: naming.name("alarm", `${name}-health`),
        alarmDescription: `${name} is unhealthy: one of its alarms is firing. Dashboard: ${svc.dashboardUrl}`,
        alarmRule: rule,
        alarmActions: notify,
        okActions: notify,
      });
    }
    if (props.database) {
      // Alarm names carry the blueprint already (naming); "database" is a reserved service name.
      const owner = "database";
      alarms.database = databaseAlarmSpecs(props.database, props.thresholds).map((s) =>
        alarm(owner, s, props.overviewDashboardUrl, true),
      );
    }
    this.alarms = alarms;
    this.composites = composites;
  }
}

/**
 * ECS "Task State Change" events of a scheduled job's runs that failed: the task stopped and
 * either never started or its application container exited non-zero. EventBridge matches array
 * elements independently, so `name` and `exitCode` need not come from the same container: a
 * sidecar exiting non-zero as ECS stops it after a successful run also matches (accepted: a
 * spurious page rather than a missed failure).
 */
export function failedRunPattern(ev: FailedRunEvents): string {
  return JSON.stringify({
    source: ["aws.ecs"],
    "detail-type": ["ECS Task State Change"],
    detail: {
      clusterArn: [ev.clusterArn],
      group: [`family:${ev.taskDefinitionFamily}`],
      lastStatus: ["STOPPED"],
      $or: [
        { stopCode: ["TaskFailedToStart"] },
        { containers: { name: [ev.containerName], exitCode: [{ "anything-but": 0 }] } },
      ],
    },
  });
}
