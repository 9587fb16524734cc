import { Construct } from "constructs";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import type { PlatformConfig } from "../../config";
import type { Naming } from "../naming";

/** The Fargate capacity providers every cluster gets (strategies may use either). */
export const FARGATE_CAPACITY_PROVIDERS = ["FARGATE", "FARGATE_SPOT"] as const;

export interface PlatformClusterProps {
  readonly naming: Naming;
  /** `config.cluster`: Container Insights level and the default capacity provider strategy. */
  readonly config: PlatformConfig["cluster"];
  /**
   * ARN of the Cloud Map namespace used as the cluster's Service Connect default (set when the
   * mesh is on, so services join it without naming it). @default no Service Connect default
   */
  readonly serviceConnectNamespaceArn?: string;
}

/**
 * The ECS cluster: Container Insights (`enhanced` adds task- and container-level metrics;
 * accepted by the provider since 5.81), FARGATE and FARGATE_SPOT attached through
 * `aws_ecs_cluster_capacity_providers` with the configured default strategy.
 */
export class PlatformCluster extends Construct {
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly clusterId: string;
  /**
   * The capacity provider association. ECS rejects a service whose capacity provider strategy
   * names a provider not yet associated with the cluster, so services must depend on this.
   */
  readonly capacityProviders: EcsClusterCapacityProviders;
  /** The default strategy, in the provider's shape, for services that set their own. */
  readonly defaultCapacityProviderStrategy: ReadonlyArray<{
    readonly capacityProvider: string;
    readonly base: number;
    readonly weight: number;
  }>;

  constructor(scope: Construct, id: string, props: PlatformClusterProps) {
    super(scope, id);
    const cluster = new EcsCluster(this, "cluster", {
      name: props.naming.name("ecsCluster"),
      setting: [{ name: "containerInsights", value: props.config.containerInsights }],
      serviceConnectDefaults: props.serviceConnectNamespaceArn
        ? { namespace: props.serviceConnectNamespaceArn }
        : undefined,
    });
    this.defaultCapacityProviderStrategy = props.config.capacityProviderStrategy.map((item) => ({
      capacityProvider: item.provider,
      base: item.base,
      weight: item.weight,
    }));
    this.capacityProviders = new EcsClusterCapacityProviders(this, "capacity-providers", {
      clusterName: cluster.name,
      capacityProviders: [...FARGATE_CAPACITY_PROVIDERS],
      defaultCapacityProviderStrategy: this.defaultCapacityProviderStrategy.map((s) => ({ ...s })),
    });
    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.clusterId = cluster.id;
  }
}
