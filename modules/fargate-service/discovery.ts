import { Construct } from "constructs";
import { ServiceDiscoveryService } from "@cdktf/provider-aws/lib/service-discovery-service";

export interface ServiceDiscoveryRegistrationProps {
  /** Cloud Map service name (from `naming.name("serviceDiscovery", service)`). */
  readonly discoveryName: string;
  /** Private DNS namespace the service registers in. */
  readonly namespaceId: string;
  /** TTL of the A records; short so callers stop using a replaced task quickly. */
  readonly dnsTtlSeconds: number;
}

/**
 * The Cloud Map service ECS registers each task in: A records (awsvpc tasks have their own
 * IP, so no SRV/port), MULTIVALUE so callers get every healthy task, and custom health
 * checking, the only kind private DNS namespaces support (ECS reports task health).
 */
export class ServiceDiscoveryRegistration extends Construct {
  readonly service: ServiceDiscoveryService;

  constructor(scope: Construct, id: string, props: ServiceDiscoveryRegistrationProps) {
    super(scope, id);
    this.service = new ServiceDiscoveryService(this, "service", {
      name: props.discoveryName,
      dnsConfig: {
        namespaceId: props.namespaceId,
        routingPolicy: "MULTIVALUE",
        dnsRecords: [{ type: "A", ttl: props.dnsTtlSeconds }],
      },
      // failure_threshold is deprecated: Cloud Map always uses 1 for custom health checks.
      healthCheckCustomConfig: {},
      // Instances ECS registered (e.g. after a failed deploy) must not block destroy.
      forceDestroy: true,
    });
  }
}
