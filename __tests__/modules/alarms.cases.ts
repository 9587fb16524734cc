import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import type { PlatformConfig } from "../../config";
import { FailedRunEvents, PlatformAlarms, TASKS_PENDING_MINUTES } from "../../modules/alarms";
import { databaseSignals, metric, serviceSignals } from "../../modules/dashboard";
import { Naming } from "../../modules/naming";
import { allKindsConfig, fakeHandles, identifiersByDimension, isPublished } from "../support/handles";
import { configFor, dataSources, Json, onlyResource, resources } from "../support/synth";

const THRESHOLDS = {
  cpuPercent: 85,
  memoryPercent: 80,
  http5xxRatePercent: 5,
  queueAgeSeconds: 600,
  errorLogLines: 10,
  dbCpuPercent: 75,
  dbConnections: 150,
};

type Edit = (s: { minCount: number; failedRunEvents?: FailedRunEvents }, name: string) => void;

function build(config: PlatformConfig, edit: Edit = () => {}) {
  const handles = fakeHandles(config);
  const naming = new Naming(config.name, config.environmentSuffix);
  const services = Object.entries(config.services).map(([name, svc]) => {
    const s = {
      signals: serviceSignals(handles, handles.services[name], {
        mesh: config.mesh.enabled,
        logMetrics: { errors: metric("Platform/test", `${name}/ErrorLogLines`, {}, "Sum") },
      }),
      minCount: svc.minCount,
      maxCount: svc.maxCount,
      dashboardUrl: `https://console/${name}`,
      failedRunEvents:
        svc.kind === "scheduled"
          ? {
              clusterArn: handles.clusterArn,
              taskDefinitionFamily: handles.services[name].taskDefinitionFamily,
              containerName: name,
            }
          : undefined,
    };
    edit(s, name);
    return s;
  });
  const stack = JSON.parse(
    Testing.synthScope((scope) => {
      new PlatformAlarms(scope, "alarms", {
        naming,
        region: config.region,
        subject: config.name,
        services,
        database: handles.databaseClusterIdentifier
          ? databaseSignals(handles.databaseClusterIdentifier)
          : undefined,
        overviewDashboardUrl: "https://console/overview",
        thresholds: THRESHOLDS,
        alarmEmail: config.observability.alarmEmail,
      });
    }),
  );
  const alarms = resources(stack, "aws_cloudwatch_metric_alarm");
  const byName: Record<string, Json> = Object.fromEntries(
    Object.values(alarms).map((a) => [a.alarm_name, a]),
  );
  return { stack, handles, alarms, byName, composites: resources(stack, "aws_cloudwatch_composite_alarm") };
}

/** The metrics an alarm evaluates: its own metric, or the metric_query inputs. */
function alarmMetrics(
  a: Json,
): { namespace: string; metric_name: string; dimensions: Record<string, string> }[] {
  if (a.metric_name)
    return [{ namespace: a.namespace, metric_name: a.metric_name, dimensions: a.dimensions ?? {} }];
  return (a.metric_query as Json[])
    .filter((q) => q.metric)
    .map((q) => ({ ...q.metric, dimensions: q.metric.dimensions ?? {} }));
}

describe("PlatformAlarms", () => {
  const all = build(allKindsConfig());
  const trading = build(configFor("trading"));
  const topicRef = (id: string) => `\${aws_sns_topic.${id}.arn}`;
  const topicId = Object.keys(resources(all.stack, "aws_sns_topic"))[0];

  test("each service gets the alarms of its kind", () => {
    const keys = (svc: string) =>
      Object.keys(all.byName)
        .filter((n) => n.startsWith(`alarm-trading-${svc}-`))
        .map((n) => n.slice(`alarm-trading-${svc}-`.length, -"-test".length))
        .sort();
    expect(keys("frontend")).toEqual([
      "cpu-at-max",
      "http-5xx",
      "log-errors",
      "memory-at-max",
      "tasks",
      "tasks-pending",
      "unhealthy-hosts",
    ]);
    expect(keys("processing-service")).toEqual([
      "cpu-at-max",
      "log-errors",
      "memory-at-max",
      "tasks",
      "tasks-pending",
    ]);
    expect(keys("settlement-worker")).toEqual([
      "cpu-at-max",
      "dead-letters",
      "log-errors",
      "memory-at-max",
      "queue-age",
      "tasks",
      "tasks-pending",
    ]);
    // A job has no task count to be at the maximum of: it pages on failed runs.
    expect(keys("eod-report")).toEqual(["failed-runs", "log-errors"]);
    expect(keys("database")).toEqual(["connections", "cpu"]);
  });

  test("pages when desired tasks exceed running tasks for 10 minutes (autoscaling cannot start tasks)", () => {
    const a = all.byName["alarm-trading-frontend-tasks-pending-test"];
    expect(a).toEqual(
      expect.objectContaining({
        comparison_operator: "GreaterThanThreshold",
        threshold: 0,
        evaluation_periods: TASKS_PENDING_MINUTES,
        datapoints_to_alarm: TASKS_PENDING_MINUTES,
        treat_missing_data: "notBreaching",
      }),
    );
    expect(TASKS_PENDING_MINUTES).toBe(10);
    const queries = a.metric_query as Json[];
    expect(queries.find((q) => q.return_data)!.expression).toBe("desired - running");
    expect(
      Object.fromEntries(queries.filter((q) => q.metric).map((q) => [q.id, q.metric.metric_name])),
    ).toEqual({ desired: "DesiredTaskCount", running: "RunningTaskCount" });
  });

  test("only top-level alarms notify: each composite and the database alarms, when firing and recovering", () => {
    const database = Object.values(all.alarms).filter((a) =>
      a.alarm_name.startsWith("alarm-trading-database-"),
    );
    const topLevel = [...Object.values(all.composites), ...database];
    expect(topLevel.length).toBeGreaterThan(5);
    for (const a of topLevel) {
      expect(a.alarm_actions).toEqual([topicRef(topicId)]);
      expect(a.ok_actions).toEqual([topicRef(topicId)]);
    }
  });

  test("a composite's children stay silent, so an incident pages once", () => {
    const children = Object.values(all.alarms).filter(
      (a) => !a.alarm_name.startsWith("alarm-trading-database-"),
    );
    expect(children.length).toBeGreaterThan(20);
    for (const a of children) {
      expect(a.alarm_actions).toBeUndefined();
      expect(a.ok_actions).toBeUndefined();
    }
  });

  test("every alarm watches a metric AWS publishes, on identifiers the platform handed over", () => {
    const ids = identifiersByDimension(all.handles);
    const problems = Object.values(all.alarms)
      .flatMap((a) => alarmMetrics(a).map((m) => ({ alarm: a.alarm_name, ...m })))
      .filter((m) => !m.namespace.startsWith("Platform/"))
      .filter(
        (m) =>
          !isPublished(m.namespace, m.metric_name, Object.keys(m.dimensions)) ||
          Object.entries(m.dimensions).some(([k, v]) =>
            // The failed-run rules live in this stack: their names are references to them.
            k === "RuleName" ? !/^\$\{aws_cloudwatch_event_rule\.[\w-]+\.name\}$/.test(v) : !ids[k].has(v),
          ),
      );
    expect(problems).toEqual([]);
  });

  test("a service's alarms watch only that service's identifiers", () => {
    for (const [name, h] of Object.entries(all.handles.services)) {
      const own = new Set(
        [
          h.ecsServiceName,
          h.taskDefinitionFamily,
          h.queue?.name,
          h.queue?.dlqName,
          h.schedule?.groupName,
        ].concat(h.targetGroups ? [h.targetGroups.blue.arnSuffix, h.targetGroups.green!.arnSuffix] : []),
      );
      const perService = ["ServiceName", "TaskDefinitionFamily", "TargetGroup", "QueueName", "ScheduleGroup"];
      const foreign = Object.values(all.alarms)
        .filter((a) => a.alarm_name.startsWith(`alarm-trading-${name}-`))
        .flatMap(alarmMetrics)
        .flatMap((m) => Object.entries(m.dimensions))
        .filter(([k, v]) => perService.includes(k) && !own.has(v));
      expect(foreign).toEqual([]);
    }
  });

  test("the running-tasks alarm fires below the minimum and treats silence as the outage", () => {
    expect(all.byName["alarm-trading-frontend-tasks-test"]).toMatchObject({
      namespace: "ECS/ContainerInsights",
      metric_name: "RunningTaskCount",
      statistic: "Minimum",
      comparison_operator: "LessThanThreshold",
      threshold: 2,
      treat_missing_data: "breaching",
    });
  });

  test("every alarm but the running-tasks one treats missing data as not breaching", () => {
    const missing = Object.values(all.alarms)
      .filter((a) => !a.alarm_name.endsWith("-tasks-test"))
      .map((a) => a.treat_missing_data);
    expect(new Set(missing)).toEqual(new Set(["notBreaching"]));
  });

  test("a service whose minimum is 0 gets no running-tasks alarm", () => {
    const zero = build(configFor("trading"), (s, name) => {
      if (name === "frontend") s.minCount = 0;
    });
    expect(zero.byName["alarm-trading-frontend-tasks-test"]).toBeUndefined();
    expect(zero.byName["alarm-trading-api-gateway-tasks-test"]).toBeDefined();
  });

  test("CPU and memory page only at maximum capacity, at the configured thresholds for 3 of 5 minutes", () => {
    const cpu = trading.byName["alarm-trading-frontend-cpu-at-max-test"];
    expect(cpu).toMatchObject({ threshold: 85, evaluation_periods: 5, datapoints_to_alarm: 3 });
    const queries = cpu.metric_query as Json[];
    const max = configFor("trading").services.frontend.maxCount;
    expect(queries.find((q) => q.return_data)).toEqual(
      expect.objectContaining({ expression: `IF(tasks >= ${max}, used, 0)` }),
    );
    const dims = {
      ClusterName: trading.handles.clusterName,
      ServiceName: trading.handles.services.frontend.ecsServiceName,
    };
    expect(
      queries
        .filter((q) => q.metric)
        .map((q) => [q.id, q.metric.namespace, q.metric.metric_name, q.metric.dimensions, q.metric.period]),
    ).toEqual([
      ["used", "AWS/ECS", "CPUUtilization", dims, 60],
      ["tasks", "ECS/ContainerInsights", "RunningTaskCount", dims, 60],
    ]);
    expect(trading.byName["alarm-trading-frontend-memory-at-max-test"]).toMatchObject({ threshold: 80 });
  });

  test("the 5xx alarm is metric math over both target groups that returns only the rate", () => {
    const a = all.byName["alarm-trading-frontend-http-5xx-test"];
    expect(a.metric_name).toBeUndefined();
    expect(a.period).toBeUndefined();
    const queries = a.metric_query as Json[];
    expect(queries.filter((q) => q.return_data)).toEqual([
      expect.objectContaining({
        id: "result",
        expression: "100 * (FILL(e_blue, 0) + FILL(e_green, 0)) / (FILL(r_blue, 0) + FILL(r_green, 0))",
      }),
    ]);
    const tg = all.handles.services.frontend.targetGroups!;
    expect(
      queries
        .filter((q) => q.metric)
        .map((q) => [q.id, q.metric.metric_name, q.metric.dimensions.TargetGroup]),
    ).toEqual([
      ["e_blue", "HTTPCode_Target_5XX_Count", tg.blue.arnSuffix],
      ["e_green", "HTTPCode_Target_5XX_Count", tg.green!.arnSuffix],
      ["r_blue", "RequestCount", tg.blue.arnSuffix],
      ["r_green", "RequestCount", tg.green!.arnSuffix],
    ]);
    expect(a).toMatchObject({ comparison_operator: "GreaterThanThreshold", threshold: 5 });
  });

  test("worker alarms: oldest message age over the threshold, any message in the dead-letter queue", () => {
    const q = all.handles.services["settlement-worker"].queue!;
    expect(all.byName["alarm-trading-settlement-worker-queue-age-test"]).toMatchObject({
      metric_name: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: q.name },
      threshold: 600,
    });
    expect(all.byName["alarm-trading-settlement-worker-dead-letters-test"]).toMatchObject({
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: q.dlqName },
      comparison_operator: "GreaterThanOrEqualToThreshold",
      threshold: 1,
    });
  });

  test("a scheduled job alarms on any run dropped or dead-lettered by its schedule group", () => {
    const a = all.byName["alarm-trading-eod-report-failed-runs-test"];
    const inputs = (a.metric_query as Json[]).filter((q) => q.metric?.namespace === "AWS/Scheduler");
    expect(inputs.map((q) => q.metric.metric_name).sort()).toEqual([
      "InvocationDroppedCount",
      "InvocationsFailedToBeSentToDeadLetterCount",
      "InvocationsSentToDeadLetterCount",
    ]);
    expect(new Set(inputs.map((q) => q.metric.dimensions.ScheduleGroup))).toEqual(
      new Set([all.handles.services["eod-report"].schedule!.groupName]),
    );
    expect(a).toMatchObject({ threshold: 1, comparison_operator: "GreaterThanOrEqualToThreshold" });
  });

  test("a scheduled job's failed runs include task failures forwarded by its EventBridge rule", () => {
    const [ruleId, rule] = Object.entries(resources(all.stack, "aws_cloudwatch_event_rule"))[0];
    const h = all.handles.services["eod-report"];
    expect(rule.name).toBe("rule-trading-eod-report-failed-runs-test");
    expect(JSON.parse(rule.event_pattern)).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: {
        clusterArn: [all.handles.clusterArn],
        group: [`family:${h.taskDefinitionFamily}`],
        lastStatus: ["STOPPED"],
        $or: [
          { stopCode: ["TaskFailedToStart"] },
          { containers: { name: ["eod-report"], exitCode: [{ "anything-but": 0 }] } },
        ],
      },
    });
    const a = all.byName["alarm-trading-eod-report-failed-runs-test"];
    const result = (a.metric_query as Json[]).find((q) => q.return_data)!;
    expect(result.expression).toMatch(/ \+ FILL\(exited, 0\)$/);
    expect((a.metric_query as Json[]).find((q) => q.id === "exited")!.metric).toMatchObject({
      namespace: "AWS/Events",
      metric_name: "Invocations",
      dimensions: { RuleName: `\${aws_cloudwatch_event_rule.${ruleId}.name}` },
    });
  });

  test("without task state events a scheduled job's failed runs are the scheduler's alone", () => {
    const bare = build(allKindsConfig(), (s) => void (s.failedRunEvents = undefined));
    expect(resources(bare.stack, "aws_cloudwatch_event_rule")).toEqual({});
    const a = bare.byName["alarm-trading-eod-report-failed-runs-test"];
    expect((a.metric_query as Json[]).find((q) => q.return_data)!.expression).toBe(
      "FILL(dropped, 0) + FILL(dlq, 0) + FILL(dlq_failed, 0)",
    );
    expect(a.alarm_description).toMatch(/^eod-report: scheduled runs dropped after retries/);
  });

  test("the failed-run rule pages the topic with the stop code and reason", () => {
    const [ruleId] = Object.keys(resources(all.stack, "aws_cloudwatch_event_rule"));
    expect(Object.values(resources(all.stack, "aws_cloudwatch_event_target"))).toEqual([
      expect.objectContaining({
        rule: `\${aws_cloudwatch_event_rule.${ruleId}.name}`,
        arn: topicRef(topicId),
        input_transformer: {
          input_paths: {
            task: "$.detail.taskArn",
            stopCode: "$.detail.stopCode",
            reason: "$.detail.stoppedReason",
          },
          input_template: '"eod-report: scheduled run failed (<stopCode>): <reason>. Task <task>"',
        },
      }),
    ]);
    expect(resources(trading.stack, "aws_cloudwatch_event_rule")).toEqual({});
  });

  test("EventBridge may use the key, and publish to the topic only from the failed-run rules", () => {
    const statements = (b: typeof all, sid: string) =>
      Object.values(dataSources(b.stack, "aws_iam_policy_document"))
        .flatMap((d) => d.statement as Json[])
        .filter((st) => st.sid === sid);
    const [ruleId] = Object.keys(resources(all.stack, "aws_cloudwatch_event_rule"));
    expect(statements(all, "EventBridgeEncryptFailedRunNotifications")).toEqual([
      expect.objectContaining({
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        actions: ["kms:Decrypt", "kms:GenerateDataKey*"],
      }),
    ]);
    expect(statements(all, "EventBridgeFailedRunRulesPublish")).toEqual([
      expect.objectContaining({
        actions: ["sns:Publish"],
        resources: [topicRef(topicId)],
        condition: [
          {
            test: "ArnEquals",
            variable: "aws:SourceArn",
            values: [`\${aws_cloudwatch_event_rule.${ruleId}.arn}`],
          },
        ],
      }),
    ]);
    expect(statements(trading, "EventBridgeEncryptFailedRunNotifications")).toEqual([]);
    expect(statements(trading, "EventBridgeFailedRunRulesPublish")).toEqual([]);
  });

  test("error log lines alarm on the log metric filter's custom metric", () => {
    expect(all.byName["alarm-trading-frontend-log-errors-test"]).toMatchObject({
      namespace: "Platform/test",
      metric_name: "frontend/ErrorLogLines",
      statistic: "Sum",
      period: 300,
      threshold: 10,
    });
  });

  test("database alarms watch the Aurora cluster's CPU and connections with the configured thresholds", () => {
    const id = all.handles.databaseClusterIdentifier;
    expect(all.byName["alarm-trading-database-cpu-test"]).toMatchObject({
      namespace: "AWS/RDS",
      metric_name: "CPUUtilization",
      dimensions: { DBClusterIdentifier: id },
      threshold: 75,
    });
    expect(all.byName["alarm-trading-database-connections-test"]).toMatchObject({
      metric_name: "DatabaseConnections",
      threshold: 150,
    });
    expect(trading.byName["alarm-trading-database-cpu-test"]).toBeUndefined();
  });

  test("a composite alarm per service ORs its own alarms only, never another stack's", () => {
    const composite = Object.values(all.composites).find(
      (c) => c.alarm_name === "alarm-trading-frontend-health-test",
    )!;
    const own = Object.entries(all.alarms)
      .filter(([, a]) => a.alarm_name.startsWith("alarm-trading-frontend-"))
      .map(([id]) => `ALARM("\${aws_cloudwatch_metric_alarm.${id}.alarm_name}")`);
    expect(composite.alarm_rule.split(" OR ").sort()).toEqual(own.sort());
    expect(Object.keys(all.composites)).toHaveLength(Object.keys(all.handles.services).length);
  });

  test("alarm descriptions say what is wrong and link the service's dashboard", () => {
    expect(all.byName["alarm-trading-frontend-cpu-at-max-test"].alarm_description).toBe(
      `frontend: CPU above 85% of the reserved CPU while running the maximum of ${allKindsConfig().services.frontend.maxCount} tasks (autoscaling can add no more). Dashboard: https://console/frontend`,
    );
    expect(all.byName["alarm-trading-database-cpu-test"].alarm_description).toContain(
      "https://console/overview",
    );
  });

  test("the topic is encrypted with the stack's own rotating customer-managed key", () => {
    const keyId = Object.keys(resources(all.stack, "aws_kms_key"))[0];
    expect(onlyResource(all.stack, "aws_sns_topic")).toMatchObject({
      name: "sns-trading-alarms-test",
      kms_master_key_id: `\${aws_kms_key.${keyId}.arn}`,
    });
    expect(onlyResource(all.stack, "aws_kms_key")).toMatchObject({
      enable_key_rotation: true,
      deletion_window_in_days: 7,
    });
    expect(onlyResource(all.stack, "aws_kms_alias")).toMatchObject({
      name: "alias/kms-trading-alarms-test",
      target_key_id: `\${aws_kms_key.${keyId}.key_id}`,
    });
  });

  test("the key policy lets CloudWatch encrypt notifications only for this account's alarms", () => {
    const docs = dataSources(all.stack, "aws_iam_policy_document");
    const keyPolicyId = onlyResource(all.stack, "aws_kms_key").policy.match(
      /aws_iam_policy_document\.([^.]+)\.json/,
    )[1];
    const cw = (docs[keyPolicyId].statement as Json[]).find(
      (s) => s.sid === "CloudWatchAlarmsEncryptNotifications",
    )!;
    expect(cw.principals).toEqual([{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }]);
    expect(cw.actions).toEqual(["kms:Decrypt", "kms:GenerateDataKey*"]);
    expect(cw.condition).toEqual([
      {
        test: "StringEquals",
        variable: "aws:SourceAccount",
        values: [expect.stringMatching(/aws_caller_identity/)],
      },
      {
        test: "ArnLike",
        variable: "aws:SourceArn",
        values: [
          expect.stringMatching(
            /^arn:\$\{data\.aws_partition\.[^}]+\}:cloudwatch:us-east-1:\$\{data\.aws_caller_identity\.[^}]+\}:alarm:\*$/,
          ),
        ],
      },
    ]);
  });

  test("the topic policy lets CloudWatch alarms publish to this topic only", () => {
    const docs = dataSources(trading.stack, "aws_iam_policy_document");
    const policy = onlyResource(trading.stack, "aws_sns_topic_policy");
    const tradingTopic = Object.keys(resources(trading.stack, "aws_sns_topic"))[0];
    expect(policy.arn).toBe(topicRef(tradingTopic));
    const docId = policy.policy.match(/aws_iam_policy_document\.([^.]+)\.json/)[1];
    expect(docs[docId].statement).toEqual([
      expect.objectContaining({
        principals: [{ type: "Service", identifiers: ["cloudwatch.amazonaws.com"] }],
        actions: ["sns:Publish"],
        resources: [topicRef(tradingTopic)],
      }),
    ]);
  });

  test("the alarm e-mail is subscribed to the topic when configured, and nothing otherwise", () => {
    expect(onlyResource(all.stack, "aws_sns_topic_subscription")).toMatchObject({
      topic_arn: topicRef(topicId),
      protocol: "email",
      endpoint: "oncall@example.com",
    });
    expect(resources(trading.stack, "aws_sns_topic_subscription")).toEqual({});
  });
});
