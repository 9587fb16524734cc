import "cdktf/lib/testing/adapters/jest";
import { BlueprintInput, ServiceSchema } from "../../../config/schema";
import { ServiceScaling, ServiceScalingProps } from "../../../modules/fargate-service/scaling";
import { Naming } from "../../../modules/naming";
import { stepMargin } from "../../../modules/fargate-service/scaling";
import { all, Json, only, ref, synthScope } from "../synth-scope";

type ServiceInput = BlueprintInput["services"][string];

function synth(service: ServiceInput, extra: Partial<ServiceScalingProps> = {}): Json {
  return synthScope(
    (scope) =>
      new ServiceScaling(scope, "scaling", {
        naming: new Naming("demo", "test"),
        serviceName: "api",
        service: ServiceSchema.parse(service),
        clusterName: "ecs-cluster-demo-test",
        ecsServiceName: "${aws_ecs_service.api.name}",
        ...extra,
      }),
  );
}
/** Target-tracking configurations by policy name. */
const tracking = (out: Json): Record<string, Json> =>
  Object.fromEntries(
    Object.values(all(out, "aws_appautoscaling_policy"))
      .filter((p) => p.policy_type === "TargetTrackingScaling")
      .map((p) => [p.name, p.target_tracking_scaling_policy_configuration]),
  );

describe("ServiceScaling of a web service with every target-tracking policy", () => {
  const out = synth(
    {
      kind: "web",
      cpu: 256,
      memory: 512,
      paths: ["/*"],
      minCount: 2,
      maxCount: 10,
      scaling: {
        cpuTargetPercent: 60,
        memoryTargetPercent: 75,
        requestsPerTarget: 500,
        scaleInCooldownSeconds: 240,
        scaleOutCooldownSeconds: 30,
        customMetric: {
          namespace: "Trading",
          metricName: "OrderLatency",
          dimensions: { Service: "api" },
          targetValue: 200,
        },
      },
    },
    {
      loadBalancer: {
        arnSuffix: "${aws_lb.main.arn_suffix}",
        targetGroupArnSuffix: "${aws_lb_target_group.blue.arn_suffix}",
      },
    },
  );
  const target = only(out, "aws_appautoscaling_target");
  const policies = tracking(out);

  test("scalable target is the ECS service's desired count within min/max", () => {
    expect(target).toEqual(
      expect.objectContaining({
        service_namespace: "ecs",
        scalable_dimension: "ecs:service:DesiredCount",
        resource_id: "service/ecs-cluster-demo-test/${aws_ecs_service.api.name}",
        min_capacity: 2,
        max_capacity: 10,
      }),
    );
  });

  test("ignores only suspended_state (the release CLI suspends scaling during CodeDeploy deployments)", () => {
    expect(target.lifecycle).toEqual({ ignore_changes: ["suspended_state"] });
  });

  test("every policy scales the target (references, so it waits for registration)", () => {
    for (const p of Object.values(all(out, "aws_appautoscaling_policy"))) {
      expect(p.resource_id).toBe(ref("aws_appautoscaling_target", target.id, "resource_id"));
      expect(p.scalable_dimension).toBe(ref("aws_appautoscaling_target", target.id, "scalable_dimension"));
    }
  });

  test("tracks CPU at the configured target with the configured cooldowns", () => {
    expect(policies["scaling-api-cpu-test"]).toEqual({
      target_value: 60,
      scale_in_cooldown: 240,
      scale_out_cooldown: 30,
      predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
    });
  });

  test("tracks memory when a target is configured", () => {
    expect(policies["scaling-api-memory-test"].predefined_metric_specification).toEqual({
      predefined_metric_type: "ECSServiceAverageMemoryUtilization",
    });
    expect(policies["scaling-api-memory-test"].target_value).toBe(75);
  });

  test("tracks ALB requests per target of the blue target group", () => {
    expect(policies["scaling-api-requests-test"].predefined_metric_specification).toEqual({
      predefined_metric_type: "ALBRequestCountPerTarget",
      resource_label: "${aws_lb.main.arn_suffix}/${aws_lb_target_group.blue.arn_suffix}",
    });
  });

  test("tracks the configured custom metric per running task (metric math over the task count), scoped to its blueprint and environment", () => {
    const custom = policies["scaling-api-custom-test"];
    expect(custom.target_value).toBe(200);
    const metrics = custom.customized_metric_specification.metrics as Json[];
    const byId = Object.fromEntries(metrics.map((m) => [m.id, m]));
    expect(byId.custom.metric_stat).toEqual({
      stat: "Average",
      metric: {
        namespace: "Trading",
        metric_name: "OrderLatency",
        // Blueprint and Environment: another environment of the account publishing into the
        // same namespace does not move this one's scaling.
        dimensions: [
          { name: "Service", value: "api" },
          { name: "Blueprint", value: "demo" },
          { name: "Environment", value: "test" },
        ],
      },
    });
    expect(byId.tasks.metric_stat.metric.metric_name).toBe("RunningTaskCount");
    expect(metrics.filter((m) => m.return_data)).toEqual([
      expect.objectContaining({ id: "per_task", expression: "custom / tasks" }),
    ]);
  });

  const steps = Object.values(all(out, "aws_appautoscaling_policy")).filter(
    (p) => p.policy_type === "StepScaling",
  );
  const alarms = Object.values(all(out, "aws_cloudwatch_metric_alarm"));

  test("CPU, memory and request targets each get a one-minute, one-datapoint alarm a margin above the target", () => {
    // 5 points above CPU 60 and memory 75; a tenth above 500 requests: one noisy minute at the
    // target is target tracking's, not a step on top of it.
    expect(
      alarms.map((a) => [a.alarm_name, a.threshold, a.evaluation_periods, a.datapoints_to_alarm]).sort(),
    ).toEqual([
      ["alarm-demo-api-scale-out-cpu-test", 65, 1, 1],
      ["alarm-demo-api-scale-out-memory-test", 80, 1, 1],
      ["alarm-demo-api-scale-out-requests-test", 550, 1, 1],
    ]);
    const cpu = alarms.find((a) => a.alarm_name === "alarm-demo-api-scale-out-cpu-test")!;
    expect(cpu).toEqual(
      expect.objectContaining({
        namespace: "AWS/ECS",
        metric_name: "CPUUtilization",
        period: 60,
        comparison_operator: "GreaterThanOrEqualToThreshold",
        dimensions: { ClusterName: "ecs-cluster-demo-test", ServiceName: "${aws_ecs_service.api.name}" },
      }),
    );
    expect(cpu.alarm_actions).toEqual([
      ref(
        "aws_appautoscaling_policy",
        Object.entries(all(out, "aws_appautoscaling_policy")).find(
          ([, p]) => p.name === "scaling-api-fast-cpu-test",
        )![0],
        "arn",
      ),
    ]);
  });

  test("the requests alarm divides both colours' requests by the running tasks, like the policy", () => {
    const a = alarms.find((x) => x.alarm_name === "alarm-demo-api-scale-out-requests-test")!;
    const queries = a.metric_query as Json[];
    expect(queries.find((q) => q.return_data)).toEqual(
      expect.objectContaining({ expression: "FILL(blue, 0) / tasks" }),
    );
    expect(queries.filter((q) => q.metric).every((q) => q.metric.period === 60)).toBe(true);
  });

  test("step policies only scale out, with growing steps, all reachable below 100 %", () => {
    expect(steps).toHaveLength(3);
    for (const p of steps) {
      const c = p.step_scaling_policy_configuration;
      expect(c.cooldown).toBe(30);
      const adj = c.step_adjustment as Json[];
      expect(adj.map((x) => x.scaling_adjustment)).toEqual([10, 30, 50]);
    }
    const cpu = steps.find((p) => p.name === "scaling-api-fast-cpu-test")!;
    // Threshold 65: room of 35 split in thirds; the last step starts at 65 + 23 = 88 % < 100 %.
    expect(cpu.step_scaling_policy_configuration.step_adjustment).toEqual([
      { metric_interval_lower_bound: "0", metric_interval_upper_bound: "11", scaling_adjustment: 10 },
      { metric_interval_lower_bound: "11", metric_interval_upper_bound: "23", scaling_adjustment: 30 },
      { metric_interval_lower_bound: "23", scaling_adjustment: 50 },
    ]);
  });
});

describe("stepMargin", () => {
  test.each([
    ["cpu", 60, 5],
    ["cpu", 90, 2],
    ["cpu", 99, 0],
    ["requests", 500, 50],
    ["requests", 5, 1],
  ] as const)("%s target %i: the step alarm sits %i above it", (key, target, margin) => {
    expect(stepMargin(key, target)).toBe(margin);
  });
});

describe("ServiceScaling of a CodeDeploy web service tracking requests", () => {
  const out = synth(
    { kind: "web", cpu: 256, memory: 512, paths: ["/*"], scaling: { requestsPerTarget: 800 } },
    {
      loadBalancer: {
        arnSuffix: "${aws_lb.main.arn_suffix}",
        targetGroupArnSuffix: "${aws_lb_target_group.blue.arn_suffix}",
        alternateTargetGroupArnSuffix: "${aws_lb_target_group.green.arn_suffix}",
      },
    },
  );
  const requests = tracking(out)["scaling-api-requests-test"];
  const metrics = requests.customized_metric_specification.metrics as Json[];
  const byId = Object.fromEntries(metrics.map((m) => [m.id, m]));

  test("counts requests of both target groups, since traffic alternates between them", () => {
    expect(requests.predefined_metric_specification).toBeUndefined();
    expect(requests.target_value).toBe(800);
    for (const [id, tg] of [
      ["blue", "${aws_lb_target_group.blue.arn_suffix}"],
      ["green", "${aws_lb_target_group.green.arn_suffix}"],
    ]) {
      expect(byId[id]).toEqual({
        id,
        return_data: false,
        metric_stat: {
          stat: "Sum",
          metric: {
            namespace: "AWS/ApplicationELB",
            metric_name: "RequestCount",
            dimensions: [
              { name: "LoadBalancer", value: "${aws_lb.main.arn_suffix}" },
              { name: "TargetGroup", value: tg },
            ],
          },
        },
      });
    }
  });

  test("divides by the service's running tasks and returns only that", () => {
    expect(byId.tasks.metric_stat.metric.dimensions).toEqual([
      { name: "ClusterName", value: "ecs-cluster-demo-test" },
      { name: "ServiceName", value: "${aws_ecs_service.api.name}" },
    ]);
    expect(byId.per_task.expression).toBe("(FILL(blue, 0) + FILL(green, 0)) / tasks");
    expect(metrics.filter((m) => m.return_data).map((m) => m.id)).toEqual(["per_task"]);
  });
});

describe("ServiceScaling of a worker before its first release", () => {
  const out = synth(
    {
      kind: "worker",
      cpu: 256,
      memory: 512,
      scaling: { backlogPerTask: 20, fastScaleOut: false },
    },
    { queueName: "${aws_sqs_queue.work.name}", minCapacity: 0 },
  );
  const target = only(out, "aws_appautoscaling_target");
  const backlog = tracking(out)["scaling-api-backlog-test"];

  test("registers the minimum it is given (0 before the first release) and ignores only the release CLI's suspension", () => {
    expect(target.min_capacity).toBe(0);
    expect(target.lifecycle).toEqual({ ignore_changes: ["suspended_state"] });
  });

  test("tracks backlog per task: visible messages of its queue over running tasks", () => {
    expect(backlog.target_value).toBe(20);
    const metrics = backlog.customized_metric_specification.metrics as Json[];
    const byId = Object.fromEntries(metrics.map((m) => [m.id, m]));
    expect(byId.visible.metric_stat.metric).toEqual({
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: [{ name: "QueueName", value: "${aws_sqs_queue.work.name}" }],
    });
    expect(byId.tasks.metric_stat.metric.metric_name).toBe("RunningTaskCount");
    expect(byId.backlog_per_task).toEqual(
      expect.objectContaining({ expression: "visible / tasks", return_data: true }),
    );
    expect(metrics.filter((m) => m.return_data)).toHaveLength(1);
  });

  test("has no fast step scaling when the config turns it off", () => {
    expect(all(out, "aws_cloudwatch_metric_alarm")).toEqual({});
    expect(Object.values(all(out, "aws_appautoscaling_policy")).map((p) => p.policy_type)).not.toContain(
      "StepScaling",
    );
  });
});

describe("ServiceScaling validation", () => {
  test("fails when a scheduled job is scaled", () => {
    expect(() => synth({ kind: "scheduled", cpu: 256, memory: 512, schedule: "rate(1 hour)" })).toThrow(
      /api: scheduled jobs have no ECS service to scale/,
    );
  });

  test("fails when requests per target has no load balancer", () => {
    expect(() =>
      synth({ kind: "web", cpu: 256, memory: 512, paths: ["/*"], scaling: { requestsPerTarget: 100 } }),
    ).toThrow(/requestsPerTarget needs a load balancer target group/);
  });

  test("fails when a utilization target leaves no room for a scale-out step", () => {
    expect(() =>
      synth({ kind: "backend", cpu: 256, memory: 512, scaling: { cpuTargetPercent: 100 } }),
    ).toThrow(/services\.api\.scaling: a cpu target of 100 leaves no room below 100 .* fastScaleOut: false/);
  });

  test("a custom metric already per task is tracked as it is", () => {
    const out = synth({
      kind: "backend",
      cpu: 256,
      memory: 512,
      scaling: {
        customMetric: { namespace: "Quotes", metricName: "LagMs", targetValue: 50, divideByTasks: false },
      },
    });
    const metrics = tracking(out)["scaling-api-custom-test"].customized_metric_specification
      .metrics as Json[];
    expect(metrics).toEqual([expect.objectContaining({ id: "custom", return_data: true })]);
  });

  test("fails when the custom metric declares a dimension the platform sets", () => {
    expect(() =>
      synth({
        kind: "backend",
        cpu: 256,
        memory: 512,
        scaling: {
          customMetric: {
            namespace: "Quotes",
            metricName: "LagMs",
            targetValue: 50,
            dimensions: { Environment: "x" },
          },
        },
      }),
    ).toThrow(/services\.api\.scaling\.customMetric\.dimensions\.Environment: set by the platform/);
  });

  test("fails when a worker has no queue", () => {
    expect(() => synth({ kind: "worker", cpu: 256, memory: 512 })).toThrow(
      /worker scales on its queue backlog/,
    );
  });
});
