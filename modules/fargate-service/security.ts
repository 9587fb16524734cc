import { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { Naming } from "../naming";
import { ValidationError } from "../errors";

export interface ServiceSecurityGroupProps {
  readonly naming: Naming;
  readonly serviceName: string;
  readonly vpcId: string;
  /**
   * The port the service listens on. With Service Connect the proxy listens on this same port
   * (no ingress port override), so callers' traffic is admitted by the same rule.
   * @default none (workers and scheduled jobs listen on nothing and get no ingress)
   */
  readonly port?: number;
  /**
   * The port callers (`allowFrom`) are admitted on, when it is not `port`: the Service Connect
   * proxy's ingress port of a web service with TLS. @default port
   */
  readonly callerPort?: number;
  /** Security group of the ALB (web services): admitted on `port`. @default none */
  readonly loadBalancerSecurityGroupId?: string;
  /** The database the service uses: egress to its security group on its port. @default none */
  readonly database?: { readonly securityGroupId: string; readonly port: number };
}

/**
 * One security group per service, with standalone rule resources only (never inline rules:
 * mixing both makes Terraform remove the other's rules on every apply). Ingress only from the
 * ALB and from the callers the stack adds with `allowFrom`; egress only HTTPS (ECR, AWS APIs
 * through NAT or endpoints), the callees added with `allowTo`, and the database.
 */
export class ServiceSecurityGroup extends Construct {
  readonly securityGroup: SecurityGroup;
  private readonly port?: number;
  private readonly callerPort?: number;
  private readonly serviceName: string;

  constructor(scope: Construct, id: string, props: ServiceSecurityGroupProps) {
    super(scope, id);
    this.port = props.port;
    this.callerPort = props.port === undefined ? undefined : (props.callerPort ?? props.port);
    this.serviceName = props.serviceName;
    const name = props.naming.name("securityGroup", props.serviceName);
    this.securityGroup = new SecurityGroup(this, "group", {
      name,
      description: `Tasks of service ${props.serviceName}`,
      vpcId: props.vpcId,
      // Lets destroy succeed while another group still references this one.
      revokeRulesOnDelete: true,
      tags: { Name: name },
    });

    if (props.loadBalancerSecurityGroupId) {
      this.ingress("ingress-from-alb", props.loadBalancerSecurityGroupId, "the load balancer", this.port);
    }
    new VpcSecurityGroupEgressRule(this, "egress-https", {
      securityGroupId: this.securityGroup.id,
      description: "HTTPS to ECR, CloudWatch, Secrets Manager and X-Ray",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
    });
    if (props.database) {
      new VpcSecurityGroupEgressRule(this, "egress-to-database", {
        securityGroupId: this.securityGroup.id,
        description: "The database",
        ipProtocol: "tcp",
        fromPort: props.database.port,
        toPort: props.database.port,
        referencedSecurityGroupId: props.database.securityGroupId,
      });
    }
  }

  get id(): string {
    return this.securityGroup.id;
  }

  /** Admits a calling service (its security group) on this service's caller port. */
  allowFrom(callerSecurityGroupId: string, callerName: string): VpcSecurityGroupIngressRule {
    return this.ingress(
      `ingress-from-${callerName}`,
      callerSecurityGroupId,
      `service ${callerName}`,
      this.callerPort,
    );
  }

  /** Lets this service reach a callee (its security group) on the callee's port. */
  allowTo(calleeSecurityGroupId: string, port: number, calleeName: string): VpcSecurityGroupEgressRule {
    return new VpcSecurityGroupEgressRule(this, `egress-to-${calleeName}`, {
      securityGroupId: this.securityGroup.id,
      description: `Service ${calleeName}`,
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      referencedSecurityGroupId: calleeSecurityGroupId,
    });
  }

  /**
   * Lets this service open connections to public addresses on `port` (the ALB's production
   * listener, reached through NAT). HTTPS is already allowed for the AWS APIs.
   */
  allowToInternet(port: number, what: string): VpcSecurityGroupEgressRule | undefined {
    if (port === 443 || this.node.tryFindChild(`egress-internet-${port}`)) return undefined;
    return new VpcSecurityGroupEgressRule(this, `egress-internet-${port}`, {
      securityGroupId: this.securityGroup.id,
      description: `${what} (port ${port}, through NAT)`,
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      cidrIpv4: "0.0.0.0/0",
    });
  }

  private ingress(
    id: string,
    sourceSecurityGroupId: string,
    what: string,
    port: number | undefined,
  ): VpcSecurityGroupIngressRule {
    if (port === undefined) {
      throw new ValidationError(
        `fargate-service ${this.serviceName}: listens on no port, so ${what} cannot be admitted`,
        this,
      );
    }
    return new VpcSecurityGroupIngressRule(this, id, {
      securityGroupId: this.securityGroup.id,
      description: `From ${what}`,
      ipProtocol: "tcp",
      fromPort: port,
      toPort: port,
      referencedSecurityGroupId: sourceSecurityGroupId,
    });
  }
}
