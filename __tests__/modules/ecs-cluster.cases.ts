import "cdktf/lib/testing/adapters/jest";
import { ClusterSchema } from "../../config/schema";
import { Naming } from "../../modules/naming";
import { PlatformCluster } from "../../modules/ecs-cluster";
import { ServiceDiscoveryNamespace } from "../../modules/service-discovery";
import { Json, only, probe, probed, ref, synthScope } from "./synth-scope";

const naming = () => new Naming("trading", "test");

describe("ecs-cluster with the default config", () => {
  let cluster!: PlatformCluster;
  const json = synthScope((scope) => {
    cluster = new PlatformCluster(scope, "cluster", { naming: naming(), config: ClusterSchema.parse({}) });
    probe(scope, "name", cluster.clusterName);
    probe(scope, "arn", cluster.clusterArn);
  });
  const ecs = only(json, "aws_ecs_cluster");
  const providers = only(json, "aws_ecs_cluster_capacity_providers");

  test("is named by the naming module", () => {
    expect(ecs.name).toBe("ecs-cluster-trading-test");
  });

  test("turns on Container Insights with enhanced observability", () => {
    expect(ecs.setting).toEqual([{ name: "containerInsights", value: "enhanced" }]);
  });

  test("has no Service Connect default when no namespace is given", () => {
    expect(ecs.service_connect_defaults).toBeUndefined();
  });

  test("attaches FARGATE and FARGATE_SPOT to this cluster", () => {
    expect(providers.cluster_name).toBe(ref("aws_ecs_cluster", ecs.id, "name"));
    expect(providers.capacity_providers).toEqual(["FARGATE", "FARGATE_SPOT"]);
  });

  test("sets the default strategy: a base on FARGATE, Spot weighted for cost", () => {
    expect(providers.default_capacity_provider_strategy).toEqual([
      { capacity_provider: "FARGATE", base: 1, weight: 1 },
      { capacity_provider: "FARGATE_SPOT", base: 0, weight: 3 },
    ]);
    expect(cluster.defaultCapacityProviderStrategy).toEqual([
      { capacityProvider: "FARGATE", base: 1, weight: 1 },
      { capacityProvider: "FARGATE_SPOT", base: 0, weight: 3 },
    ]);
  });

  test("exposes the cluster name and ARN as references", () => {
    expect(probed(json, "name")).toBe(ref("aws_ecs_cluster", ecs.id, "name"));
    expect(probed(json, "arn")).toBe(ref("aws_ecs_cluster", ecs.id, "arn"));
  });
});

describe("ecs-cluster with the mesh and plain Container Insights", () => {
  const json: Json = synthScope((scope) => {
    const ns = new ServiceDiscoveryNamespace(scope, "ns", {
      naming: naming(),
      vpcId: "vpc-123",
      config: { dnsTtlSeconds: 10 },
    });
    new PlatformCluster(scope, "cluster", {
      naming: naming(),
      config: ClusterSchema.parse({
        containerInsights: "enabled",
        capacityProviderStrategy: [{ provider: "FARGATE_SPOT", base: 2, weight: 1 }],
      }),
      serviceConnectNamespaceArn: ns.namespaceArn,
    });
  });
  const ecs = only(json, "aws_ecs_cluster");

  test("uses the configured Container Insights level", () => {
    expect(ecs.setting).toEqual([{ name: "containerInsights", value: "enabled" }]);
  });

  test("makes the Cloud Map namespace the Service Connect default", () => {
    const ns = only(json, "aws_service_discovery_private_dns_namespace");
    expect(ecs.service_connect_defaults).toEqual({
      namespace: ref("aws_service_discovery_private_dns_namespace", ns.id, "arn"),
    });
  });

  test("uses the configured strategy", () => {
    expect(only(json, "aws_ecs_cluster_capacity_providers").default_capacity_provider_strategy).toEqual([
      { capacity_provider: "FARGATE_SPOT", base: 2, weight: 1 },
    ]);
  });
});
