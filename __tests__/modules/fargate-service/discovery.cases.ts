import "cdktf/lib/testing/adapters/jest";
import { ServiceDiscoveryRegistration } from "../../../modules/fargate-service/discovery";
import { only, synthScope } from "../synth-scope";

describe("ServiceDiscoveryRegistration", () => {
  const service = only(
    synthScope(
      (scope) =>
        new ServiceDiscoveryRegistration(scope, "sd", {
          discoveryName: "api-test",
          namespaceId: "${aws_service_discovery_private_dns_namespace.ns.id}",
          dnsTtlSeconds: 10,
        }),
    ),
    "aws_service_discovery_service",
  );

  test("registers tasks as A records with a short TTL, all healthy ones returned", () => {
    expect(service.name).toBe("api-test");
    expect(service.dns_config).toEqual({
      namespace_id: "${aws_service_discovery_private_dns_namespace.ns.id}",
      routing_policy: "MULTIVALUE",
      dns_records: [{ type: "A", ttl: 10 }],
    });
  });

  test("uses custom health checking (private namespaces support no Route 53 checks)", () => {
    expect(service.health_check_custom_config).toEqual({});
    expect(service.health_check_config).toBeUndefined();
  });

  test("force-destroys so registered instances do not block destroy", () => {
    expect(service.force_destroy).toBe(true);
  });
});
