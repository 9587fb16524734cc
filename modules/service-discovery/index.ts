import { Construct } from "constructs";
import { ServiceDiscoveryPrivateDnsNamespace } from "@cdktf/provider-aws/lib/service-discovery-private-dns-namespace";
import type { PlatformConfig } from "../../config";
import type { Naming } from "../naming";
import { ValidationError } from "../errors";

/** Longest DNS name (RFC 1035), also the Cloud Map namespace name limit. */
const DNS_NAME_MAX = 253;

export interface ServiceDiscoveryNamespaceProps {
  readonly naming: Naming;
  /** VPC whose resolver answers for the namespace. */
  readonly vpcId: string;
  /** `config.serviceDiscovery` (its `namespace` is the base domain). */
  readonly config: PlatformConfig["serviceDiscovery"];
}

/**
 * The namespace name: `<environmentSuffix>.<base>`, where the base is
 * `config.serviceDiscovery.namespace` or `<blueprint>.internal`. The environment label keeps
 * two environments of one blueprint in one account apart: Cloud Map creates a Route 53 private
 * hosted zone per namespace, and identical names would make every DNS name and every Service
 * Connect alias ambiguous across environments. `.internal` is the TLD reserved for private use.
 */
export function namespaceName(naming: Naming, base?: string): string {
  const name = `${naming.environmentSuffix}.${base ?? `${naming.blueprint}.internal`}`;
  if (name.length > DNS_NAME_MAX) {
    throw new ValidationError(
      `serviceDiscovery.namespace: ${name} is ${name.length} characters; a DNS namespace allows at most ${DNS_NAME_MAX}`,
    );
  }
  return name;
}

/**
 * The Cloud Map private DNS namespace in the VPC: the service constructs register their A
 * records in it, and it is the Service Connect namespace when the mesh is on.
 */
export class ServiceDiscoveryNamespace extends Construct {
  readonly namespaceId: string;
  readonly namespaceArn: string;
  /** Known at synth time, so DNS names can go into task definitions as plain strings. */
  readonly namespaceName: string;
  /** Route 53 private hosted zone Cloud Map created for the namespace. */
  readonly hostedZoneId: string;

  constructor(scope: Construct, id: string, props: ServiceDiscoveryNamespaceProps) {
    super(scope, id);
    this.namespaceName = namespaceName(props.naming, props.config.namespace);
    const namespace = new ServiceDiscoveryPrivateDnsNamespace(this, "namespace", {
      name: this.namespaceName,
      vpc: props.vpcId,
      description: `Service discovery for ${props.naming.blueprint} (${props.naming.environmentSuffix})`,
    });
    this.namespaceId = namespace.id;
    this.namespaceArn = namespace.arn;
    this.hostedZoneId = namespace.hostedZone;
  }

  /** DNS name callers use to reach a service registered in this namespace. */
  dnsName(service: string): string {
    return `${service}.${this.namespaceName}`;
  }
}
