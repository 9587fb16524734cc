/**
 * Rollback signals that do not fire on a healthy start, for every built-in blueprint: a target
 * of a starting task set may fail ALB health checks through its grace period and until it has
 * passed `healthyThreshold` checks; the unhealthy-host alarm that rolls a deployment back must
 * need more consecutive breaching minutes than that window can touch.
 */
import { BUILT_IN_BLUEPRINTS } from "../../config/blueprints";
import { configFor, Json, resources, synthApp } from "../support/synth";

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

  test("every blue/green web service has unhealthy-host rollback alarms on both target groups", () => {
    const web = Object.entries(config.services).filter(([, s]) => s.kind === "web");
    expect(unhealthy).toHaveLength(web.length * 2);
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
