import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { Naming } from "../../modules/naming";
import { CATCH_ALL_PRIORITY, TracedService, XRayTracing } from "../../modules/tracing";
import { Json, resources } from "../support/synth";

function build(services: TracedService[], suffix = "test") {
  const stack = JSON.parse(
    Testing.synthScope((scope) => {
      new XRayTracing(scope, "tracing", {
        naming: new Naming("trading", suffix),
        defaultSampling: { rate: 0.05, reservoir: 1 },
        services,
      });
    }),
  );
  const rules: Record<string, Json> = Object.fromEntries(
    Object.values(resources(stack, "aws_xray_sampling_rule")).map((r) => [r.service_name, r]),
  );
  return { rules, groups: Object.values(resources(stack, "aws_xray_group")) };
}

const svc = (name: string, rate = 0.05, reservoir = 1): TracedService => ({
  name,
  tracingName: name,
  sampling: { rate, reservoir },
});

describe("XRayTracing", () => {
  const { rules, groups } = build([svc("frontend"), svc("api-gateway", 0.5, 10), svc("processing-service")]);

  test("a sampling rule per service matches every request carrying its service name", () => {
    expect(rules["api-gateway"]).toMatchObject({
      rule_name: "xsr-trading-api-gateway-test",
      service_name: "api-gateway",
      service_type: "*",
      host: "*",
      http_method: "*",
      url_path: "*",
      resource_arn: "*",
      version: 1,
    });
  });

  test("each service rule samples at its own rate and reservoir", () => {
    expect(rules["api-gateway"]).toMatchObject({ fixed_rate: 0.5, reservoir_size: 10 });
    expect(rules.frontend).toMatchObject({ fixed_rate: 0.05, reservoir_size: 1 });
  });

  test("service rules have distinct priorities, all before the catch-all rule", () => {
    const priorities = ["frontend", "api-gateway", "processing-service"].map((n) => rules[n].priority);
    expect(new Set(priorities).size).toBe(3);
    expect(Math.max(...priorities)).toBeLessThan(CATCH_ALL_PRIORITY);
  });

  test("a catch-all rule samples any other service with the blueprint's default, before AWS's own default", () => {
    expect(rules["*"]).toMatchObject({
      rule_name: "xsr-trading-test",
      priority: CATCH_ALL_PRIORITY,
      fixed_rate: 0.05,
      reservoir_size: 1,
    });
    // AWS's built-in Default rule has priority 10000; rule priorities go up to 9999.
    expect(CATCH_ALL_PRIORITY).toBeLessThan(10000);
  });

  test("an X-Ray group per service selects that service's traces", () => {
    expect(groups.map((g) => [g.group_name, g.filter_expression]).sort()).toEqual([
      ["xray-trading-api-gateway-test", 'service("api-gateway")'],
      ["xray-trading-frontend-test", 'service("frontend")'],
      // 32 characters at most: the naming module shortens it with a hash.
      [
        new Naming("trading", "test").name("xrayGroup", "processing-service"),
        'service("processing-service")',
      ],
    ]);
  });

  test("rule and group names stay within X-Ray's 32 characters with long names and suffixes", () => {
    const long = build([svc("settlement-reconciliation-x")], "pr-123456789-abcdefg");
    const names = [
      ...Object.values(long.rules).map((r) => r.rule_name),
      ...long.groups.map((g) => g.group_name),
    ];
    for (const n of names) {
      expect(n.length).toBeLessThanOrEqual(32);
      expect(n.endsWith("-pr-123456789-abcdefg")).toBe(true);
    }
  });
});
