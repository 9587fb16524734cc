import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { ServiceSchema } from "../../../config/schema";
import { WebTraffic, WebTrafficProps } from "../../../modules/fargate-service/web-traffic";
import { Naming } from "../../../modules/naming";
import type { Json } from "../../support/synth";

const PROD = "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/alb/1/prod";
const TEST = "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/alb/1/test";

const healthCheck = ServiceSchema.parse({
  kind: "web",
  cpu: 256,
  memory: 512,
  healthCheck: { path: "/api/health", intervalSeconds: 15, timeoutSeconds: 5, healthyThreshold: 2 },
}).healthCheck;

function props(overrides: Partial<WebTrafficProps> = {}): WebTrafficProps {
  return {
    naming: new Naming("trading", "test"),
    serviceName: "api-gateway",
    vpcId: "vpc-0123",
    port: 8080,
    healthCheck,
    paths: ["/api/*", "/v2/*"],
    priority: 20,
    productionListenerArn: PROD,
    testListenerArn: TEST,
    strategy: "codedeploy",
    deregistrationDelaySeconds: 30,
    ...overrides,
  };
}

function synth(p: WebTrafficProps): Json {
  return JSON.parse(Testing.synthScope((scope) => new WebTraffic(scope, "web", p)));
}

describe("WebTraffic with CodeDeploy blue/green", () => {
  const out = synth(props());
  const groups: Record<string, Json> = out.resource.aws_lb_target_group;
  const rules: Record<string, Json> = out.resource.aws_lb_listener_rule;
  const groupId = (color: string) => Object.keys(groups).find((k) => k.includes(color))!;
  const ruleOn = (listener: string) => Object.values(rules).find((r) => r.listener_arn === listener)!;

  test("creates a blue and a green target group named by the naming module, with a hash of what replaces them", () => {
    const names = Object.values(groups).map((g) => g.name);
    expect(names).toEqual([
      new Naming("trading", "test").replaceableName("targetGroup", "blue-api-gateway", {
        port: 8080,
        protocol: "HTTP",
        targetType: "ip",
      }),
      new Naming("trading", "test").replaceableName("targetGroup", "green-api-gateway", {
        port: 8080,
        protocol: "HTTP",
        targetType: "ip",
      }),
    ]);
    expect(names[0]).toMatch(/^tg-trading-blue-[a-z0-9-]*[0-9a-f]{4,6}-test$/);
  });

  test("target groups are created before the ones they replace, under a different name", () => {
    for (const g of Object.values(groups)) expect(g.lifecycle).toEqual({ create_before_destroy: true });
    const moved = synth(props({ port: 9090 })).resource.aws_lb_target_group;
    const before = Object.values(groups).map((g) => g.name);
    for (const g of Object.values(moved) as Json[]) expect(before).not.toContain(g.name);
  });

  test("target groups register task IPs over HTTP on the service port in the VPC", () => {
    for (const g of Object.values(groups)) {
      expect(g).toMatchObject({ target_type: "ip", protocol: "HTTP", port: 8080, vpc_id: "vpc-0123" });
    }
  });

  test("target groups take the health check from the service config", () => {
    for (const g of Object.values(groups)) {
      expect(g.health_check).toEqual({
        enabled: true,
        protocol: "HTTP",
        port: "traffic-port",
        path: "/api/health",
        interval: 15,
        timeout: 5,
        healthy_threshold: 2,
        unhealthy_threshold: 3,
        matcher: "200-399",
      });
    }
  });

  test("target groups drain for the configured delay, not the 300 s default", () => {
    for (const g of Object.values(groups)) expect(g.deregistration_delay).toBe("30");
  });

  test("production rule routes the service paths to blue", () => {
    const rule = ruleOn(PROD);
    expect(rule.condition).toEqual([{ path_pattern: { values: ["/api/*", "/v2/*"] } }]);
    expect(rule.action).toEqual([
      { type: "forward", target_group_arn: `\${aws_lb_target_group.${groupId("blue")}.arn}` },
    ]);
  });

  test("test listener rule has the same paths and also starts on blue", () => {
    const prod = ruleOn(PROD);
    const test = ruleOn(TEST);
    expect(test.condition).toEqual(prod.condition);
    expect(test.action).toEqual(prod.action);
  });

  test("both rules use the assigned priority", () => {
    expect(Object.values(rules).map((r) => r.priority)).toEqual([20, 20]);
  });

  test("both rules ignore changes to their action, which CodeDeploy rewrites, and are replaced with either group", () => {
    for (const r of Object.values(rules))
      expect(r.lifecycle).toEqual({
        ignore_changes: ["action"],
        replace_triggered_by: [
          `aws_lb_target_group.${groupId("blue")}.id`,
          `aws_lb_target_group.${groupId("green")}.id`,
        ],
      });
  });

  test("both rules depend on both target groups (destroy removes the rule before either group)", () => {
    for (const r of Object.values(rules))
      expect(r.depends_on).toEqual([
        `aws_lb_target_group.${groupId("blue")}`,
        `aws_lb_target_group.${groupId("green")}`,
      ]);
  });

  test("exposes the blue and green target groups and the two rules", () => {
    Testing.synthScope((scope) => {
      const web = new WebTraffic(scope, "web", props({ naming: new Naming("trading", "x") }));
      expect(web.blue.node.id).toBe("blue");
      expect(web.green?.node.id).toBe("green");
      expect(web.productionRule.node.id).toBe("production-rule");
      expect(web.testRule?.node.id).toBe("test-rule");
    });
  });
});

describe("WebTraffic with ECS-native blue/green", () => {
  const out = synth(props({ strategy: "ecs-blue-green" }));
  const groups: Record<string, Json> = out.resource.aws_lb_target_group;
  const rules: Json[] = Object.values(out.resource.aws_lb_listener_rule);
  const arn = (color: string) =>
    `\${aws_lb_target_group.${Object.keys(groups).find((k) => k.includes(color))}.arn}`;

  test("both rules forward to blue and green with weights 100 and 0, which ECS moves", () => {
    for (const r of rules)
      expect(r.action).toEqual([
        {
          type: "forward",
          forward: {
            target_group: [
              { arn: arn("blue"), weight: 100 },
              { arn: arn("green"), weight: 0 },
            ],
          },
        },
      ]);
  });

  test("both rules leave the action to ECS", () => {
    for (const r of rules) expect(r.lifecycle.ignore_changes).toEqual(["action"]);
  });
});

describe("WebTraffic with rolling deployments", () => {
  const out = synth(props({ strategy: "rolling", testListenerArn: undefined }));
  const groups: Json[] = Object.values(out.resource.aws_lb_target_group);
  const rules: Json[] = Object.values(out.resource.aws_lb_listener_rule);

  test("has one target group and one production rule: no green, no test rule", () => {
    expect(groups).toHaveLength(1);
    expect(groups[0].name).toMatch(/^tg-trading-blue-/);
    expect(rules).toHaveLength(1);
    expect(rules[0].listener_arn).toBe(PROD);
  });

  test("Terraform owns the rule's action (nothing else rewrites it), so a replaced group reaches it", () => {
    expect(rules[0].lifecycle).toBeUndefined();
    expect(rules[0].depends_on).toHaveLength(1);
  });

  test("target group is still created before the one it replaces", () => {
    expect(groups[0].lifecycle).toEqual({ create_before_destroy: true });
  });
});

describe("WebTraffic validation", () => {
  test("fails when a blue/green service has no test listener", () => {
    expect(() => synth(props({ testListenerArn: undefined }))).toThrow(
      /services.api-gateway.deployment.strategy: codedeploy needs the ALB's test listener/,
    );
  });

  test("fails when a service has more than 5 path patterns (ALB condition values per rule)", () => {
    expect(() => synth(props({ paths: ["/a", "/b", "/c", "/d", "/e", "/f"] }))).toThrow(
      /services\.api-gateway\.paths: 6 path patterns; an ALB listener rule takes 1 to 5/,
    );
  });

  test("accepts 5 path patterns holding 5 wildcards, the per-rule quotas", () => {
    const paths = ["/a/*", "/b/*", "/c/*", "/d/*", "/e/?"];
    const out = synth(props({ paths }));
    const rule = Object.values(out.resource.aws_lb_listener_rule)[0] as Json;
    expect(rule.condition).toEqual([{ path_pattern: { values: paths } }]);
  });

  test("fails when a service has no path pattern", () => {
    expect(() => synth(props({ paths: [] }))).toThrow(/0 path patterns/);
  });

  test("fails when the path patterns hold more than 5 wildcards", () => {
    expect(() => synth(props({ paths: ["/a/*/*", "/b/*/*", "/c/?*"] }))).toThrow(/hold 6 wildcards/);
  });

  test("fails when a path pattern is longer than 128 characters", () => {
    expect(() => synth(props({ paths: [`/${"x".repeat(128)}`] }))).toThrow(/longer than 128 characters/);
  });

  test("fails when the priority is outside 1..50000", () => {
    expect(() => synth(props({ priority: 0 }))).toThrow(/priority 0 is outside 1\.\.50000/);
    expect(() => synth(props({ priority: 50001 }))).toThrow(/priority 50001/);
  });

  test("fails when the health check timeout is not below the interval", () => {
    expect(() =>
      synth(props({ healthCheck: { ...healthCheck, timeoutSeconds: 15, intervalSeconds: 15 } })),
    ).toThrow(/healthCheck\.timeoutSeconds: 15 must be less than intervalSeconds \(15\)/);
  });

  test("fails when the health check matcher is not an HTTP code list", () => {
    expect(() => synth(props({ healthCheck: { ...healthCheck, matcher: "2xx" } }))).toThrow(
      /healthCheck\.matcher: 2xx is not an HTTP code list/,
    );
  });

  test("accepts a matcher listing codes and ranges", () => {
    const out = synth(props({ healthCheck: { ...healthCheck, matcher: "200,204,300-302" } }));
    const first = Object.values(out.resource.aws_lb_target_group)[0] as Json;
    expect(first.health_check.matcher).toBe("200,204,300-302");
  });

  test("fails when the deregistration delay is outside 0..3600", () => {
    expect(() => synth(props({ deregistrationDelaySeconds: 3601 }))).toThrow(/deregistration delay 3601 s/);
  });
});
