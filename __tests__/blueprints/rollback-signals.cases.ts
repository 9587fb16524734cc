/**
 * Rollback signals that do not fire on a healthy start, for every built-in blueprint: a target
 * of a starting task set may fail ALB health checks through its grace period and until it has
 * passed `healthyThreshold` checks; the unhealthy-host alarm that rolls a deployment back must
 * need more consecutive breaching minutes than that window can touch.
 */
import { BUILT_IN_BLUEPRINTS } from "../../config/blueprints";
import { fastScaleOutSpecs } from "../../modules/fargate-service/scaling";
import {
  SCALE_OUT_DECISION_BUDGET_SECONDS,
  scaleOutTiming,
  STEP_ALARM_DATA_BUDGET_SECONDS,
  targetTrackingTiming,
  unreachableSteps,
} from "../../modules/fargate-service/scale-out-timing";
import { configFor, Json, resources, synthApp } from "../support/synth";

/** Period of an alarm: its own, or that of its metric-math inputs. */
const periodOf = (a: Json): number =>
  a.period ?? Math.max(...(a.metric_query as Json[]).filter((q) => q.metric).map((q) => q.metric.period));

describe.each(Object.keys(BUILT_IN_BLUEPRINTS))("%s blueprint", (blueprint) => {
  const config = configFor(blueprint);
  const platform = synthApp(config).stacks.platform;
  const unhealthy = Object.values(resources(platform, "aws_cloudwatch_metric_alarm")).filter(
    (a) => a.metric_name === "UnHealthyHostCount",
  );
  const serviceOf = (alarm: Json) =>
    Object.keys(config.services).find((name) =>
      (alarm["//"].metadata.path as string).startsWith(`platform/service-${name}/`),
    )!;

  test("every web service has unhealthy-host rollback alarms on each of its target groups", () => {
    const web = Object.values(config.services).filter((s) => s.kind === "web");
    const groups = web.reduce((n, s) => n + (s.deployment.strategy === "rolling" ? 1 : 2), 0);
    expect(unhealthy).toHaveLength(groups);
  });

  const alarms = Object.values(resources(platform, "aws_cloudwatch_metric_alarm"));
  const byName = new Map(alarms.map((a) => [a.alarm_name as string, a]));
  const byRef = (ref: string) => {
    const id = /^\$\{aws_cloudwatch_metric_alarm\.([\w-]+)\.alarm_name\}$/.exec(ref)?.[1];
    return id ? resources(platform, "aws_cloudwatch_metric_alarm")[id] : byName.get(ref);
  };
  const rollbackAlarms = [
    ...Object.values(resources(platform, "aws_ecs_service")).flatMap((svc) => svc.alarms?.alarm_names ?? []),
    ...Object.values(resources(platform, "aws_codedeploy_deployment_group")).flatMap(
      (g) => g.alarm_configuration?.alarms ?? [],
    ),
  ].map((ref: string) => {
    const alarm = byRef(ref);
    if (!alarm) throw new Error(`rollback alarm ${ref} is not an alarm of the platform stack`);
    return alarm;
  });

  test("no deployment rollback alarm watches CPU or memory (load never rolls a release back)", () => {
    expect(rollbackAlarms.length).toBeGreaterThan(0);
    const load = rollbackAlarms.filter((a) =>
      ["CPUUtilization", "MemoryUtilization"].includes(a.metric_name),
    );
    expect(load).toEqual([]);
  });

  test("every non-scheduled service rolls back on its app's error log lines", () => {
    const names = rollbackAlarms.map((a) => a.alarm_name);
    for (const [name] of Object.entries(config.services).filter(([, s]) => s.kind !== "scheduled"))
      expect(names).toContain(`alarm-${config.name}-${name}-rollback-log-errors-${config.environmentSuffix}`);
  });

  const policies = resources(platform, "aws_appautoscaling_policy");
  const stepAlarms = alarms.filter((a) =>
    (a.alarm_actions ?? []).some((x: string) => x.startsWith("${aws_appautoscaling_policy.")),
  );

  test("scaling alarms only scale: none pages, none rolls back", () => {
    for (const a of stepAlarms) {
      expect(a.alarm_actions).toHaveLength(1);
      expect(a.ok_actions).toBeUndefined();
      expect(rollbackAlarms).not.toContain(a);
    }
  });

  test("every step-scaling alarm decides within 60 s of data and all its steps are reachable", () => {
    expect(stepAlarms.length).toBeGreaterThan(0);
    for (const a of stepAlarms) {
      expect(periodOf(a) * a.datapoints_to_alarm).toBeLessThanOrEqual(STEP_ALARM_DATA_BUDGET_SECONDS);
      const policyId = /^\$\{aws_appautoscaling_policy\.([\w-]+)\.arn\}$/.exec(a.alarm_actions[0])![1];
      const steps = (policies[policyId].step_scaling_policy_configuration.step_adjustment as Json[]).map(
        (st) => ({
          lowerBound: Number(st.metric_interval_lower_bound),
          adjustmentPercent: st.scaling_adjustment,
        }),
      );
      expect(steps.every((st) => st.adjustmentPercent > 0)).toBe(true);
      if (a.namespace === "AWS/ECS") {
        // ECS utilization cannot exceed 100 % of what the tasks reserve.
        expect(unreachableSteps(a.threshold, steps, 100)).toEqual([]);
      } else {
        // Requests per task (metric math, no namespace): every step within one target's worth
        // of the threshold, which sits above the target.
        const [name, svc] = Object.entries(config.services).find(
          ([n]) =>
            a.alarm_name === `alarm-${config.name}-${n}-scale-out-requests-${config.environmentSuffix}`,
        )!;
        const target = svc.kind === "scheduled" ? undefined : svc.scaling.requestsPerTarget;
        expect([name, target]).toEqual([name, expect.any(Number)]);
        expect(a.threshold).toBeGreaterThan(target!);
        expect(unreachableSteps(a.threshold, steps, a.threshold + target!)).toEqual([]);
        expect(Math.max(...steps.map((st) => st.lowerBound))).toBeLessThan(target!);
      }
    }
  });

  test("every service decides a scale-out within 2 minutes of load crossing each CPU, memory and request target", () => {
    for (const [name, svc] of Object.entries(config.services)) {
      if (svc.kind === "scheduled") continue;
      const specs = fastScaleOutSpecs(svc.scaling);
      const tracked = [
        "cpu",
        ...(svc.scaling.memoryTargetPercent !== undefined ? ["memory"] : []),
        ...(svc.scaling.requestsPerTarget !== undefined ? ["requests"] : []),
      ];
      expect(specs.map((s) => s.key)).toEqual(tracked);
      for (const spec of specs) {
        const alarm = byName.get(
          `alarm-${config.name}-${name}-scale-out-${spec.key}-${config.environmentSuffix}`,
        )!;
        expect(alarm.threshold).toBe(spec.threshold);
        // Above the target (one noisy minute at the target does not add tasks), below 100 %.
        expect(spec.threshold).toBeGreaterThan(spec.target);
        if (spec.ceiling !== undefined) expect(spec.threshold).toBeLessThan(spec.ceiling);
        // Timing from what was synthesized: the alarm and the policy it invokes.
        const policyId = /^\$\{aws_appautoscaling_policy\.([\w-]+)\.arn\}$/.exec(alarm.alarm_actions[0])![1];
        const cooldown = policies[policyId].step_scaling_policy_configuration.cooldown as number;
        const timing = scaleOutTiming({
          periodSeconds: periodOf(alarm),
          datapointsToAlarm: alarm.datapoints_to_alarm,
          cooldownSeconds: cooldown,
        });
        expect(timing.firstDecisionSeconds).toBeLessThanOrEqual(SCALE_OUT_DECISION_BUDGET_SECONDS);
        expect(timing.nextDecisionSeconds).toBe(Math.max(cooldown, periodOf(alarm)));
        expect(timing.nextDecisionSeconds).toBeLessThanOrEqual(SCALE_OUT_DECISION_BUDGET_SECONDS);
      }
    }
  });

  test("no unhealthy-host rollback alarm can fire while a task set is still starting", () => {
    for (const alarm of unhealthy) {
      const hc = config.services[serviceOf(alarm)].healthCheck;
      // Seconds a healthy new target may be reported unhealthy, worst case.
      const starting = hc.gracePeriodSeconds + (hc.healthyThreshold + 1) * hc.intervalSeconds;
      // One-minute datapoints such a window can touch.
      const touched = Math.ceil(starting / alarm.period) + 1;
      expect(alarm.period).toBe(60);
      expect(alarm.datapoints_to_alarm).toBe(alarm.evaluation_periods);
      expect(alarm.evaluation_periods).toBeGreaterThan(touched);
    }
  });
});

describe.each(Object.keys(BUILT_IN_BLUEPRINTS).filter((b) => configFor(b).observability.alarms))(
  "%s blueprint, paging",
  (blueprint) => {
    const config = configFor(blueprint);
    const observability = synthApp(config).stacks.observability;

    test("the unhealthy-hosts paging alarm does not page on a healthy start either", () => {
      for (const [name, svc] of Object.entries(config.services).filter(([, s]) => s.kind === "web")) {
        const [alarm] = Object.values(resources(observability, "aws_cloudwatch_metric_alarm")).filter(
          (a) => a["//"].metadata.path === `observability/alarms/${name}-unhealthy-hosts`,
        );
        const hc = svc.healthCheck;
        const touched =
          Math.ceil((hc.gracePeriodSeconds + (hc.healthyThreshold + 1) * hc.intervalSeconds) / 60) + 1;
        expect(alarm.evaluation_periods).toBeGreaterThan(touched);
        expect(alarm.datapoints_to_alarm).toBe(alarm.evaluation_periods);
      }
    });
  },
);

describe("scaleOutTiming", () => {
  test("a one-minute, one-datapoint alarm decides within 2 minutes; its data within 60 s", () => {
    expect(scaleOutTiming({ periodSeconds: 60, datapointsToAlarm: 1, cooldownSeconds: 60 })).toEqual({
      dataSeconds: 60,
      firstDecisionSeconds: 120,
      nextDecisionSeconds: 60,
    });
  });

  test("target tracking's 3-datapoint alarm alone cannot meet the 2-minute promise", () => {
    expect(targetTrackingTiming(60).firstDecisionSeconds).toBe(240);
    expect(targetTrackingTiming(60).firstDecisionSeconds).toBeGreaterThan(SCALE_OUT_DECISION_BUDGET_SECONDS);
  });

  test("the old fast path (2 of 2 minutes) missed it too", () => {
    expect(
      scaleOutTiming({ periodSeconds: 60, datapointsToAlarm: 2, cooldownSeconds: 60 }).firstDecisionSeconds,
    ).toBe(180);
  });

  test("a long cooldown delays the next scale-out, not the first", () => {
    const t = scaleOutTiming({ periodSeconds: 60, datapointsToAlarm: 1, cooldownSeconds: 300 });
    expect(t.firstDecisionSeconds).toBe(120);
    expect(t.nextDecisionSeconds).toBe(300);
  });

  test("a step starting at 100 % CPU or above is unreachable; request steps always are reachable", () => {
    const steps = [
      { lowerBound: 0, upperBound: 15, adjustmentPercent: 25 },
      { lowerBound: 15, adjustmentPercent: 50 },
    ];
    expect(unreachableSteps(85, steps, 100)).toEqual([steps[1]]);
    expect(unreachableSteps(70, steps, 100)).toEqual([]);
    expect(unreachableSteps(5000, steps)).toEqual([]);
  });
});
