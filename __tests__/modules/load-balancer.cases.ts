import "cdktf/lib/testing/adapters/jest";
import { LoadBalancerSchema } from "../../config/schema";
import type { BlueprintInput } from "../../config/schema";
import { Naming } from "../../modules/naming";
import {
  ELB_ACCOUNT_REGIONS,
  PlatformLoadBalancer,
  PlatformLoadBalancerProps,
} from "../../modules/load-balancer";
import { all, Json, only, probe, probed, ref, statements, synthScope } from "./synth-scope";

const CERT = "arn:aws:acm:eu-south-2:111122223333:certificate/0b1c2d3e-aaaa-bbbb-cccc-000000000000";
const SUBNETS = ["subnet-a", "subnet-b", "subnet-c"];

function props(
  lb: NonNullable<BlueprintInput["loadBalancer"]>,
  extra: Partial<PlatformLoadBalancerProps> = {},
): PlatformLoadBalancerProps {
  return {
    naming: new Naming("trading", "test"),
    config: LoadBalancerSchema.parse(lb),
    region: "us-east-1",
    vpcId: "vpc-123",
    vpcCidr: "10.0.0.0/16",
    publicSubnetIds: SUBNETS,
    ...extra,
  };
}

/** Listeners by port. */
function listeners(json: Json): Record<number, Json & { id: string }> {
  return Object.fromEntries(
    Object.entries(all(json, "aws_lb_listener")).map(([id, l]) => [l.port, { ...l, id }]),
  );
}

const NOT_FOUND = {
  type: "fixed-response",
  fixed_response: { content_type: "text/plain", message_body: "Not Found", status_code: "404" },
};

describe("load-balancer over HTTP with access logs (us-east-1)", () => {
  let lb!: PlatformLoadBalancer;
  const json = synthScope((scope) => {
    lb = new PlatformLoadBalancer(
      scope,
      "lb",
      props(
        { ingressCidrs: ["0.0.0.0/0"], testListenerCidrs: ["10.0.0.0/16"] },
        { targetPorts: [8080, 9090, 8080] },
      ),
    );
    probe(scope, "production", lb.productionListenerArn);
    probe(scope, "test", lb.testListenerArn);
    probe(scope, "sg", lb.securityGroupId);
    probe(scope, "suffix", lb.albArnSuffix);
  });
  const alb = only(json, "aws_lb");
  const sg = only(json, "aws_security_group");
  const ingress = Object.values(all(json, "aws_vpc_security_group_ingress_rule"));
  const egress = Object.values(all(json, "aws_vpc_security_group_egress_rule"));
  const byPort = listeners(json);
  const bucket = only(json, "aws_s3_bucket");
  const bucketPolicy = only(json, "aws_s3_bucket_policy");
  const policyDoc = statements(only(json, "aws_iam_policy_document", "data"));
  const account = ref(
    "aws_caller_identity",
    only(json, "aws_caller_identity", "data").id,
    "account_id",
    "data",
  );

  test("is an internet-facing ALB in the public subnets with its own security group", () => {
    expect(alb).toMatchObject({
      name: "alb-trading-test",
      load_balancer_type: "application",
      internal: false,
      subnets: SUBNETS,
      security_groups: [ref("aws_security_group", sg.id, "id")],
    });
  });

  test("drops invalid headers, can be deleted, and uses the configured idle timeout", () => {
    expect(alb).toMatchObject({
      drop_invalid_header_fields: true,
      enable_deletion_protection: false,
      idle_timeout: 60,
    });
  });

  test("HTTP:80 is the production listener and answers 404 by default", () => {
    expect(
      Object.keys(byPort)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([80, 8443]);
    expect(byPort[80]).toMatchObject({ protocol: "HTTP", default_action: [NOT_FOUND] });
    expect(byPort[80].load_balancer_arn).toBe(ref("aws_lb", alb.id, "arn"));
    expect(probed(json, "production")).toBe(ref("aws_lb_listener", byPort[80].id, "arn"));
    expect(lb.productionPort).toBe(80);
    expect(lb.productionProtocol).toBe("HTTP");
  });

  test("the test listener is HTTP on the configured port with a 404 default", () => {
    expect(byPort[8443]).toMatchObject({ protocol: "HTTP", default_action: [NOT_FOUND] });
    expect(probed(json, "test")).toBe(ref("aws_lb_listener", byPort[8443].id, "arn"));
    expect(lb.testListenerPort).toBe(8443);
  });

  test("admits port 80 from the ingress CIDRs and the test port only from the test CIDRs", () => {
    const rules = ingress.map((r) => `${r.from_port}-${r.to_port} ${r.cidr_ipv4}`).sort();
    expect(rules).toEqual(["80-80 0.0.0.0/0", "8443-8443 10.0.0.0/16"]);
    for (const r of ingress) expect(r.security_group_id).toBe(ref("aws_security_group", sg.id, "id"));
  });

  test("sends traffic only to the target ports inside the VPC", () => {
    expect(egress.map((r) => `${r.ip_protocol} ${r.from_port}-${r.to_port} ${r.cidr_ipv4}`).sort()).toEqual([
      "tcp 8080-8080 10.0.0.0/16",
      "tcp 9090-9090 10.0.0.0/16",
    ]);
  });

  test("exposes the security group id and ARN suffix as references", () => {
    expect(probed(json, "sg")).toBe(ref("aws_security_group", sg.id, "id"));
    expect(probed(json, "suffix")).toBe(ref("aws_lb", alb.id, "arn_suffix"));
  });

  test("writes access logs to its bucket, after the bucket policy exists", () => {
    expect(alb.access_logs).toEqual({ bucket: ref("aws_s3_bucket", bucket.id, "id"), enabled: true });
    expect(alb.depends_on).toEqual([`aws_s3_bucket_policy.${bucketPolicy.id}`]);
  });

  test("the log bucket has a prefix from the naming module and can be destroyed with logs in it", () => {
    expect(bucket).toMatchObject({ bucket_prefix: "s3-trading-alb-logs-test", force_destroy: true });
  });

  test("the log bucket uses SSE-S3, the only encryption ALB access logs support", () => {
    const sse = only(json, "aws_s3_bucket_server_side_encryption_configuration");
    expect(sse.bucket).toBe(ref("aws_s3_bucket", bucket.id, "id"));
    expect(sse.rule).toEqual([{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }]);
  });

  test("the log bucket blocks all public access", () => {
    expect(only(json, "aws_s3_bucket_public_access_block")).toMatchObject({
      bucket: ref("aws_s3_bucket", bucket.id, "id"),
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test("log objects expire after the configured retention", () => {
    const [rule] = only(json, "aws_s3_bucket_lifecycle_configuration").rule;
    expect(rule).toMatchObject({
      status: "Enabled",
      filter: [{ prefix: "AWSLogs/" }],
      expiration: [{ days: 30 }],
    });
  });

  test("in us-east-1 the ELB account 127311923021 may write under AWSLogs/<account>/", () => {
    expect(policyDoc.ElbAccessLogDelivery).toMatchObject({
      actions: ["s3:PutObject"],
      principals: [
        { type: "AWS", identifiers: [expect.stringMatching(/^arn:\$\{.*\}:iam::127311923021:root$/)] },
      ],
      resources: [`${ref("aws_s3_bucket", bucket.id, "arn")}/AWSLogs/${account}/*`],
    });
  });

  test("the bucket denies every request not made over TLS", () => {
    expect(policyDoc.DenyInsecureTransport).toMatchObject({
      effect: "Deny",
      principals: [{ type: "*", identifiers: ["*"] }],
      actions: ["s3:*"],
      condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
    });
    expect(bucketPolicy.policy).toBe(
      ref("aws_iam_policy_document", only(json, "aws_iam_policy_document", "data").id, "json", "data"),
    );
  });
});

describe("load-balancer over HTTPS in a Region opened after August 2022", () => {
  const json = synthScope((scope) => {
    new PlatformLoadBalancer(
      scope,
      "lb",
      props(
        {
          certificateArn: CERT,
          https: true,
          ingressCidrs: ["203.0.113.0/24", "198.51.100.0/24"],
          testListenerPort: 9443,
          idleTimeoutSeconds: 120,
          accessLogs: { enabled: true, retentionDays: 7 },
        },
        { region: "eu-south-2" },
      ),
    );
  });
  const byPort = listeners(json);
  const ingress = Object.values(all(json, "aws_vpc_security_group_ingress_rule"));

  test("HTTPS:443 is the production listener with the certificate and TLS policy, 404 by default", () => {
    expect(byPort[443]).toMatchObject({
      protocol: "HTTPS",
      certificate_arn: CERT,
      ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
      default_action: [NOT_FOUND],
    });
  });

  test("the test listener serves HTTPS with the same certificate, so green is validated over TLS", () => {
    expect(byPort[9443]).toMatchObject({
      protocol: "HTTPS",
      certificate_arn: CERT,
      default_action: [NOT_FOUND],
    });
  });

  test("HTTP:80 redirects to HTTPS with a 301", () => {
    expect(byPort[80]).toMatchObject({
      protocol: "HTTP",
      default_action: [
        { type: "redirect", redirect: { port: "443", protocol: "HTTPS", status_code: "HTTP_301" } },
      ],
    });
    expect(byPort[80].ssl_policy).toBeUndefined();
  });

  test("admits 80 and 443 from each ingress CIDR", () => {
    expect(ingress.map((r) => `${r.from_port} ${r.cidr_ipv4}`).sort()).toEqual([
      "443 198.51.100.0/24",
      "443 203.0.113.0/24",
      "80 198.51.100.0/24",
      "80 203.0.113.0/24",
    ]);
  });

  test("with no test CIDRs nothing may reach the test listener", () => {
    expect(byPort[9443]).toBeDefined();
    expect(ingress.some((r) => r.from_port === 9443)).toBe(false);
  });

  test("without target ports egress is any TCP port, still only inside the VPC", () => {
    expect(Object.values(all(json, "aws_vpc_security_group_egress_rule"))).toEqual([
      expect.objectContaining({ ip_protocol: "tcp", from_port: 0, to_port: 65535, cidr_ipv4: "10.0.0.0/16" }),
    ]);
  });

  test("uses the configured idle timeout and log retention", () => {
    expect(only(json, "aws_lb").idle_timeout).toBe(120);
    expect(only(json, "aws_s3_bucket_lifecycle_configuration").rule[0].expiration).toEqual([{ days: 7 }]);
  });

  test("ELB writes logs as the log delivery service principal", () => {
    const doc = statements(only(json, "aws_iam_policy_document", "data"));
    expect(doc.ElbAccessLogDelivery.principals).toEqual([
      { type: "Service", identifiers: ["logdelivery.elasticloadbalancing.amazonaws.com"] },
    ]);
  });
});

describe("load-balancer access logs in eu-central-1", () => {
  const json = synthScope((scope) => {
    new PlatformLoadBalancer(scope, "lb", props({}, { region: "eu-central-1" }));
  });

  test("the ELB account of eu-central-1 (054676820928) may write the logs", () => {
    expect(ELB_ACCOUNT_REGIONS["eu-central-1"]).toBe("054676820928");
    const doc = statements(only(json, "aws_iam_policy_document", "data"));
    expect(doc.ElbAccessLogDelivery.principals[0].identifiers[0]).toMatch(/:iam::054676820928:root$/);
  });
});

describe("load-balancer without access logs", () => {
  let lb!: PlatformLoadBalancer;
  const json = synthScope((scope) => {
    lb = new PlatformLoadBalancer(scope, "lb", props({ accessLogs: { enabled: false } }));
  });

  test("creates no bucket and no access_logs block", () => {
    expect(all(json, "aws_s3_bucket")).toEqual({});
    expect(only(json, "aws_lb").access_logs).toBeUndefined();
    expect(only(json, "aws_lb").depends_on).toBeUndefined();
    expect(lb.accessLogs).toBeUndefined();
  });
});

describe("load-balancer validation", () => {
  const build = (p: PlatformLoadBalancerProps) => () =>
    synthScope((scope) => {
      new PlatformLoadBalancer(scope, "lb", p);
    });

  test("fails when the test listener port is a production listener port", () => {
    expect(build(props({ testListenerPort: 80 }))).toThrow(
      /loadBalancer\.testListenerPort: 80 is already a production listener port \(80\)/,
    );
  });

  test("fails when the test listener port is 443 and a certificate is configured", () => {
    expect(build(props({ certificateArn: CERT, testListenerPort: 443 }))).toThrow(
      /443 is already a production listener port \(80, 443\)/,
    );
  });

  test("fails when fewer than two public subnets are given", () => {
    expect(build(props({}, { publicSubnetIds: ["subnet-a"] }))).toThrow(
      /1 public subnet\(s\) given; an ALB needs subnets in at least two AZs/,
    );
  });

  test("fails when a target port is not a TCP port", () => {
    expect(build(props({}, { targetPorts: [0] }))).toThrow(/target port 0 is not a TCP port/);
  });

  test("fails when the certificate is from another Region than the ALB", () => {
    expect(build(props({ certificateArn: CERT }, { region: "us-east-1" }))).toThrow(
      /loadBalancer\.certificateArn: arn:aws:acm:eu-south-2:\S+ is in eu-south-2; the ALB is in us-east-1 and needs an ACM certificate from us-east-1/,
    );
  });
});

describe("load-balancer test listener for blue/green services", () => {
  const NAT = ["${aws_eip.nat0.public_ip}", "${aws_eip.nat1.public_ip}"];
  const synthWith = (
    lb: NonNullable<BlueprintInput["loadBalancer"]>,
    extra: Partial<PlatformLoadBalancerProps>,
  ) =>
    synthScope((scope) => new PlatformLoadBalancer(scope, "lb", props(lb, { natPublicIps: NAT, ...extra })));
  const testPortSources = (json: Json) =>
    Object.values(all(json, "aws_vpc_security_group_ingress_rule"))
      .filter((r) => r.from_port === 8443)
      .map((r) => r.cidr_ipv4);

  test("admits the NAT gateways' addresses (checks running in the VPC) and the operator CIDRs", () => {
    const json = synthWith({ ingressCidrs: ["0.0.0.0/0"], testListenerCidrs: ["203.0.113.0/24"] }, {});
    expect(testPortSources(json).sort()).toEqual([`${NAT[0]}/32`, `${NAT[1]}/32`, "203.0.113.0/24"].sort());
  });

  test("is not built when no service deploys blue/green: no listener, no rule for its port", () => {
    const json = synthWith(
      { ingressCidrs: ["0.0.0.0/0"], testListenerCidrs: ["203.0.113.0/24"] },
      { testListener: false },
    );
    expect(Object.keys(listeners(json)).map(Number)).toEqual([80]);
    expect(testPortSources(json)).toEqual([]);
  });

  test("admits the NAT gateways on the production port when services call through the ALB and ingress is restricted", () => {
    const json = synthWith({ ingressCidrs: ["198.51.100.0/24"] }, { internalCallers: true });
    const sources = Object.values(all(json, "aws_vpc_security_group_ingress_rule"))
      .filter((r) => r.from_port === 80)
      .map((r) => r.cidr_ipv4);
    expect(sources).toEqual(["198.51.100.0/24", `${NAT[0]}/32`, `${NAT[1]}/32`]);
  });
});
