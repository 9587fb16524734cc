import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { Naming } from "../../modules/naming";
import {
  environmentTracingPattern,
  ENVIRONMENT_RULE_PRIORITY,
  MAX_SAMPLING_RULES_PER_ENVIRONMENT,
  TracedService,
  tracingName,
  XRAY_GROUPS_PER_REGION,
  XRAY_SAMPLING_RULES_PER_REGION,
  XRayTracing,
} from "../../modules/tracing";
import { Json, resources } from "../support/synth";

function build(names: [string, number?, number?][], suffix = "test", blueprint = "trading") {
  const naming = new Naming(blueprint, suffix);
  const services: TracedService[] = names.map(([name, rate = 0.05, reservoir = 1]) => ({
    name,
    tracingName: tracingName(naming, name),
    sampling: { rate, reservoir },
  }));
  const stack = JSON.parse(
    Testing.synthScope((scope) => {
      new XRayTracing(scope, "tracing", { naming, defaultSampling: { rate: 0.05, reservoir: 1 }, services });
    }),
  );
  const rules: Record<string, Json> = Object.fromEntries(
    Object.values(resources(stack, "aws_xray_sampling_rule")).map((r) => [r.service_name, r]),
  );
  return { rules, groups: Object.values(resources(stack, "aws_xray_group")) };
}

/** X-Ray's ServiceName wildcard match: `*` any characters, `?` one. */
const matches = (pattern: string, name: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.@+^$()[\]{}|\\-]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  ).test(name);

describe("XRayTracing", () => {
  const { rules, groups } = build([["frontend"], ["api-gateway", 0.5, 10], ["processing-service"]]);

  test("traces carry a service name scoped to the blueprint and environment", () => {
    expect(tracingName(new Naming("trading", "test"), "api-gateway")).toBe("api-gateway.trading@test");
  });

  test("the environment's rule matches its own services at the blueprint's sampling", () => {
    const rule = rules["*.trading@test"];
    expect(rule).toMatchObject({
      rule_name: "xsr-trading-test",
      priority: ENVIRONMENT_RULE_PRIORITY,
      fixed_rate: 0.05,
      reservoir_size: 1,
      service_type: "*",
      host: "*",
      http_method: "*",
      url_path: "*",
      resource_arn: "*",
      version: 1,
    });
    expect(matches(rule.service_name, "frontend.trading@test")).toBe(true);
  });

  test("no rule matches another environment's or blueprint's services", () => {
    for (const rule of Object.values(rules))
      for (const other of [
        "frontend.trading@prod",
        "frontend.orders@test",
        "frontend.trading@pr-test",
        "frontend",
      ])
        expect(matches(rule.service_name, other)).toBe(false);
  });

  test("only a service with its own sampling gets its own rule, before the environment's", () => {
    expect(Object.keys(rules).sort()).toEqual(["*.trading@test", "api-gateway.trading@test"]);
    expect(rules["api-gateway.trading@test"]).toMatchObject({ fixed_rate: 0.5, reservoir_size: 10 });
    expect(rules["api-gateway.trading@test"].priority).toBeLessThan(ENVIRONMENT_RULE_PRIORITY);
    // AWS's built-in Default rule has priority 10000; rule priorities go up to 9999.
    expect(ENVIRONMENT_RULE_PRIORITY).toBeLessThan(10000);
  });

  test("one X-Ray group per environment selects exactly its services' traces", () => {
    expect(groups.map((g) => [g.group_name, g.filter_expression])).toEqual([
      [
        "xray-trading-test",
        'service("frontend.trading@test") OR service("api-gateway.trading@test") OR service("processing-service.trading@test")',
      ],
    ]);
  });

  test("several environments fit in one region's quotas", () => {
    expect(
      Math.floor(XRAY_SAMPLING_RULES_PER_REGION / MAX_SAMPLING_RULES_PER_ENVIRONMENT),
    ).toBeGreaterThanOrEqual(5);
    expect(XRAY_GROUPS_PER_REGION).toBeGreaterThanOrEqual(5);
  });

  test("fails at synthesis, with the numbers, when a blueprint needs more rules than its share", () => {
    expect(() =>
      build([
        ["a", 0.1],
        ["b", 0.2],
        ["c", 0.3],
        ["d", 0.4],
      ]),
    ).toThrow(/would need 5 X-Ray sampling rules .* at most 4 per environment .* quota of 25 per region/);
  });

  test("rule and group names stay within X-Ray's 32 characters with long names and suffixes", () => {
    const long = build([["settlement-reconciliation-x", 0.2]], "pr-123456789-abcdefg");
    const names = [
      ...Object.values(long.rules).map((r) => r.rule_name),
      ...long.groups.map((g) => g.group_name),
    ];
    for (const n of names) {
      expect(n.length).toBeLessThanOrEqual(32);
      expect(n.endsWith("-pr-123456789-abcdefg")).toBe(true);
    }
    expect(
      environmentTracingPattern(new Naming("trading", "pr-123456789-abcdefg")).length,
    ).toBeLessThanOrEqual(64);
  });
});
