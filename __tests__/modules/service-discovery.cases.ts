import "cdktf/lib/testing/adapters/jest";
import { ServiceDiscoverySchema } from "../../config/schema";
import { Naming } from "../../modules/naming";
import { namespaceName, ServiceDiscoveryNamespace } from "../../modules/service-discovery";
import { only, probe, probed, ref, synthScope } from "./synth-scope";

describe("service-discovery with the default namespace", () => {
  let ns!: ServiceDiscoveryNamespace;
  const json = synthScope((scope) => {
    ns = new ServiceDiscoveryNamespace(scope, "ns", {
      naming: new Naming("trading", "test"),
      vpcId: "vpc-123",
      config: ServiceDiscoverySchema.parse({}),
    });
    probe(scope, "id", ns.namespaceId);
    probe(scope, "arn", ns.namespaceArn);
  });
  const namespace = only(json, "aws_service_discovery_private_dns_namespace");

  test("is <suffix>.<blueprint>.internal so environments in one account do not collide", () => {
    expect(namespace.name).toBe("test.trading.internal");
    expect(ns.namespaceName).toBe("test.trading.internal");
  });

  test("is private to the given VPC", () => {
    expect(namespace.vpc).toBe("vpc-123");
  });

  test("exposes the namespace id and ARN as references", () => {
    expect(probed(json, "id")).toBe(ref("aws_service_discovery_private_dns_namespace", namespace.id, "id"));
    expect(probed(json, "arn")).toBe(ref("aws_service_discovery_private_dns_namespace", namespace.id, "arn"));
  });

  test("gives callers <service>.<namespace> as DNS name", () => {
    expect(ns.dnsName("api-gateway")).toBe("api-gateway.test.trading.internal");
  });
});

describe("service-discovery namespace name", () => {
  test("puts the environment label in front of a configured base domain", () => {
    expect(namespaceName(new Naming("fintech", "pr42"), "payments.local")).toBe("pr42.payments.local");
  });

  test("fails when the name exceeds the 253-character DNS limit", () => {
    const base = `${"a".repeat(60)}.${"b".repeat(60)}.${"c".repeat(60)}.${"d".repeat(60)}.internal`;
    expect(() => namespaceName(new Naming("fintech", "dev"), base)).toThrow(
      /serviceDiscovery\.namespace: .* is 256 characters; a DNS namespace allows at most 253/,
    );
  });
});
