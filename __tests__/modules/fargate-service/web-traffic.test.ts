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
    deregistrationDelaySeconds: 30,
    ...overrides,
  };
}

function synth(p: WebTrafficProps): Json {
  return JSON.parse(Testing.synthScope((scope) => new WebTraffic(scope, "web", p)));
}

describe("WebTraffic", () => {
  const out = synth(props());
  const groups: Record<string, Json> = out.resource.aws_lb_target_group;
  const rules: Record<string, Json> = out.resource.aws_lb_listener_rule;
  const groupId = (color: string) => Object.keys(groups).find((k) => k.includes(color))!;
  const ruleOn = (listener: string) => Object.values(rules).find((r) => r.listener_arn === listener)!;

  test("creates a blue and a green target group named by the naming module", () => {
    expect(Object.values(groups).map((g) => g.name)).toEqual([
      "tg-blue-api-gateway-test",
      "tg-green-api-gateway-test",
    ]);
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

  test("both rules ignore changes to their action, which CodeDeploy rewrites", () => {
    for (const r of Object.values(rules)) expect(r.lifecycle).toEqual({ ignore_changes: ["action"] });
  });

  test("exposes the blue and green target groups and the two rules", () => {
    Testing.synthScope((scope) => {
      const web = new WebTraffic(scope, "web", props({ naming: new Naming("trading", "x") }));
      expect(web.blue.node.id).toBe("blue");
      expect(web.green.node.id).toBe("green");
      expect(web.productionRule.node.id).toBe("production-rule");
      expect(web.testRule.node.id).toBe("test-rule");
    });
  });
});

describe("WebTraffic validation", () => {
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
