import "cdktf/lib/testing/adapters/jest";
import { ServiceSecurityGroup } from "../../../modules/fargate-service/security";
import { Naming } from "../../../modules/naming";
import { all, only, ref, synthScope } from "../synth-scope";

const naming = () => new Naming("demo", "test");

describe("ServiceSecurityGroup of a web service that calls another and uses the database", () => {
  const out = synthScope((scope) => {
    const sg = new ServiceSecurityGroup(scope, "web", {
      naming: naming(),
      serviceName: "frontend",
      vpcId: "vpc-1",
      port: 8080,
      loadBalancerSecurityGroupId: "sg-alb",
      database: { securityGroupId: "sg-db", port: 5432 },
    });
    sg.allowFrom("sg-caller", "mobile-bff");
    sg.allowTo("sg-api", 9090, "api-gateway");
  });
  const group = only(out, "aws_security_group");
  const ingress = Object.values(all(out, "aws_vpc_security_group_ingress_rule"));
  const egress = Object.values(all(out, "aws_vpc_security_group_egress_rule"));

  test("one group per service in the VPC, named through the naming module, without inline rules", () => {
    expect(group).toEqual(
      expect.objectContaining({
        name: "secgroup-frontend-test",
        vpc_id: "vpc-1",
        tags: { Name: "secgroup-frontend-test" },
      }),
    );
    expect(group.ingress).toBeUndefined();
    expect(group.egress).toBeUndefined();
  });

  test("every rule belongs to the service's group", () => {
    for (const rule of [...ingress, ...egress]) {
      expect(rule.security_group_id).toBe(ref("aws_security_group", group.id, "id"));
    }
  });

  test("ingress sources are exactly the ALB and the caller, on the service port only", () => {
    expect(ingress.map((r) => r.referenced_security_group_id).sort()).toEqual(["sg-alb", "sg-caller"]);
    for (const r of ingress) {
      expect(r).toEqual(expect.objectContaining({ ip_protocol: "tcp", from_port: 8080, to_port: 8080 }));
      expect(r.cidr_ipv4).toBeUndefined();
    }
  });

  test("egress is HTTPS to anywhere, the callee on its port and the database on its port", () => {
    const summary = egress.map((r) => [
      r.cidr_ipv4 ?? r.referenced_security_group_id,
      r.from_port,
      r.to_port,
    ]);
    expect(summary).toEqual(
      expect.arrayContaining([
        ["0.0.0.0/0", 443, 443],
        ["sg-api", 9090, 9090],
        ["sg-db", 5432, 5432],
      ]),
    );
    expect(summary).toHaveLength(3);
  });
});

describe("ServiceSecurityGroup whose callers arrive on another port than the ALB", () => {
  const out = synthScope((scope) => {
    const sg = new ServiceSecurityGroup(scope, "web", {
      naming: naming(),
      serviceName: "payments",
      vpcId: "vpc-1",
      port: 8080,
      callerPort: 9443,
      loadBalancerSecurityGroupId: "sg-alb",
    });
    sg.allowFrom("sg-caller", "checkout");
  });

  test("admits the ALB on the service port and callers on the caller port", () => {
    const ingress = Object.values(all(out, "aws_vpc_security_group_ingress_rule"))
      .map((r) => [r.referenced_security_group_id, r.from_port, r.to_port])
      .sort();
    expect(ingress).toEqual([
      ["sg-alb", 8080, 8080],
      ["sg-caller", 9443, 9443],
    ]);
  });
});

describe("ServiceSecurityGroup of a scheduled job", () => {
  const out = synthScope(
    (scope) =>
      new ServiceSecurityGroup(scope, "job", { naming: naming(), serviceName: "job", vpcId: "vpc-1" }),
  );

  test("has no ingress and only HTTPS egress", () => {
    expect(all(out, "aws_vpc_security_group_ingress_rule")).toEqual({});
    expect(only(out, "aws_vpc_security_group_egress_rule")).toEqual(
      expect.objectContaining({ cidr_ipv4: "0.0.0.0/0", from_port: 443 }),
    );
  });

  test("fails when a caller is admitted to a service that listens on no port", () => {
    expect(() =>
      synthScope((scope) => {
        const sg = new ServiceSecurityGroup(scope, "job", {
          naming: naming(),
          serviceName: "job",
          vpcId: "vpc-1",
        });
        sg.allowFrom("sg-x", "caller");
      }),
    ).toThrow(/job: listens on no port, so service caller cannot be admitted/);
  });
});
