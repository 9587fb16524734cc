import { Construct } from "constructs";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener, LbListenerDefaultAction } from "@cdktf/provider-aws/lib/lb-listener";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import type { PlatformConfig } from "../../config";
import type { Naming } from "../naming";
import { AccessLogBucket } from "./access-log-bucket";
import { lifecyclePolicy, LifecyclePolicy, statefulLifecycle } from "../lifecycle";
import { ValidationError } from "../errors";

export { AccessLogBucket, ELB_ACCOUNT_REGIONS } from "./access-log-bucket";

export const HTTP_PORT = 80;
export const HTTPS_PORT = 443;

/** Default action of every listener: unrouted paths get a 404, never a random service. */
const NOT_FOUND: LbListenerDefaultAction = {
  type: "fixed-response",
  fixedResponse: { contentType: "text/plain", messageBody: "Not Found", statusCode: "404" },
};

export interface PlatformLoadBalancerProps {
  readonly naming: Naming;
  /** `config.loadBalancer`: certificate, TLS policy, CIDRs, test listener, idle timeout, access logs. */
  readonly config: PlatformConfig["loadBalancer"];
  /** Deletion protection and the log bucket's force_destroy (modules/lifecycle). @default ephemeral */
  readonly lifecycle?: LifecyclePolicy;
  /** Region of the stack; decides how ELB is allowed to write access logs. */
  readonly region: string;
  readonly vpcId: string;
  /** VPC CIDR: the only destination of the ALB's egress (its targets are in the VPC). */
  readonly vpcCidr: string;
  /** Public subnets, one per AZ (an ALB needs at least two AZs). */
  readonly publicSubnetIds: string[];
  /**
   * Ports the targets listen on; egress is limited to these ports in the VPC CIDR.
   * @default every TCP port in the VPC CIDR
   */
  readonly targetPorts?: readonly number[];
  /**
   * Whether a blue/green service needs the test listener; without one it is not built (nothing
   * would route through it). @default true
   */
  readonly testListener?: boolean;
  /**
   * Public addresses of the NAT gateways. Callers inside the VPC reach this internet-facing ALB
   * from them, so the test listener always admits them (a pre-traffic check running in the VPC),
   * and the production listener too when `internalCallers` is set and the ingress CIDRs do not
   * already cover the internet. @default none
   */
  readonly natPublicIps?: readonly string[];
  /** Services inside the VPC call a service through the production listener. @default false */
  readonly internalCallers?: boolean;
}

/**
 * The internet-facing Application Load Balancer with its own security group, the production
 * listener (HTTP:80, or HTTPS:443 plus an HTTP:80 → HTTPS redirect when a certificate ARN is
 * configured), the blue/green test listener (when a service deploys blue/green), and access logs when enabled. Every listener
 * answers 404 by default; the service constructs add the path rules.
 */
export class PlatformLoadBalancer extends Construct {
  readonly albArn: string;
  /** `app/<name>/<id>`: the CloudWatch `LoadBalancer` dimension. */
  readonly albArnSuffix: string;
  readonly dnsName: string;
  /** Route 53 hosted zone of the ALB (for alias records). */
  readonly zoneId: string;
  readonly securityGroupId: string;
  /** Listener that carries production traffic (HTTPS:443 with a certificate, else HTTP:80). */
  readonly productionListenerArn: string;
  /** Port and protocol of the production listener. */
  readonly productionPort: number;
  readonly productionProtocol: "HTTP" | "HTTPS";
  /** Listener blue/green deployments route test traffic to, to validate green before shifting. */
  readonly testListenerArn?: string;
  readonly testListenerPort?: number;
  /** The access log bucket, when access logs are enabled. */
  readonly accessLogs?: AccessLogBucket;

  constructor(scope: Construct, id: string, props: PlatformLoadBalancerProps) {
    super(scope, id);
    const { config, naming } = props;
    const https = config.certificateArn !== undefined;
    const publicPorts = https ? [HTTP_PORT, HTTPS_PORT] : [HTTP_PORT];
    validate(props, publicPorts);

    const sg = new SecurityGroup(this, "security-group", {
      name: naming.name("securityGroup", `${naming.blueprint}-alb`),
      description: "ALB: listeners from the configured CIDRs, egress to targets in the VPC",
      vpcId: props.vpcId,
      tags: { Name: naming.name("securityGroup", `${naming.blueprint}-alb`) },
    });
    // Standalone rule resources (not inline blocks) so the service constructs can add rules to
    // this group without Terraform fighting over the inline rule set.
    for (const port of publicPorts) {
      config.ingressCidrs.forEach((cidr, i) => {
        new VpcSecurityGroupIngressRule(this, `ingress-${port}-${i}`, {
          securityGroupId: sg.id,
          description: `Listener ${port} from ${cidr}`,
          ipProtocol: "tcp",
          fromPort: port,
          toPort: port,
          cidrIpv4: cidr,
        });
      });
    }
    const natIps = props.natPublicIps ?? [];
    const withTestListener = props.testListener ?? true;
    const admit = (rid: string, port: number, cidr: string, from: string) =>
      new VpcSecurityGroupIngressRule(this, rid, {
        securityGroupId: sg.id,
        description: `Listener ${port} from ${from}`,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        cidrIpv4: cidr,
      });
    if (props.internalCallers && !config.ingressCidrs.some((c) => c.endsWith("/0"))) {
      for (const port of publicPorts)
        natIps.forEach((ip, i) =>
          admit(`ingress-${port}-nat-${i}`, port, `${ip}/32`, `NAT gateway ${i + 1}`),
        );
    }
    if (withTestListener) {
      // Inside the VPC the ALB's name resolves to public addresses and traffic leaves through
      // NAT: the NAT addresses are what a pre-traffic check running in the VPC comes from.
      natIps.forEach((ip, i) =>
        admit(`ingress-test-nat-${i}`, config.testListenerPort, `${ip}/32`, `NAT gateway ${i + 1}`),
      );
      config.testListenerCidrs.forEach((cidr, i) =>
        admit(`ingress-test-${i}`, config.testListenerPort, cidr, `operator CIDR ${cidr}`),
      );
    }
    const egressPorts = props.targetPorts
      ? [...new Set(props.targetPorts)].sort((a, b) => a - b).map((p) => ({ from: p, to: p, id: `${p}` }))
      : [{ from: 0, to: 65535, id: "all" }];
    for (const range of egressPorts) {
      new VpcSecurityGroupEgressRule(this, `egress-${range.id}`, {
        securityGroupId: sg.id,
        description: `Targets and health checks on ${range.id === "all" ? "any port" : `port ${range.id}`} in the VPC`,
        ipProtocol: "tcp",
        fromPort: range.from,
        toPort: range.to,
        cidrIpv4: props.vpcCidr,
      });
    }

    if (config.accessLogs.enabled) {
      this.accessLogs = new AccessLogBucket(this, "access-logs", {
        naming,
        region: props.region,
        retentionDays: config.accessLogs.retentionDays,
        forceDestroy: (props.lifecycle ?? lifecyclePolicy()).forceDestroyBuckets,
      });
    }

    const alb = new Lb(this, "alb", {
      name: naming.name("loadBalancer"),
      loadBalancerType: "application",
      internal: false,
      subnets: props.publicSubnetIds,
      securityGroups: [sg.id],
      dropInvalidHeaderFields: true,
      // ephemeral: destroyable by `cdktf destroy`; persistent: DeleteLoadBalancer is refused
      // until an apply turns protection off (an in-place update).
      enableDeletionProtection: (props.lifecycle ?? lifecyclePolicy()).deletionProtection,
      idleTimeout: config.idleTimeoutSeconds,
      accessLogs: this.accessLogs ? { bucket: this.accessLogs.bucketName, enabled: true } : undefined,
      // ELB checks it may write to the bucket when logging is turned on: the policy must exist first.
      dependsOn: this.accessLogs ? [this.accessLogs.policy] : undefined,
      // persistent: prevent_destroy stops a destroy plan before it deletes the listeners and
      // target groups in front of a load balancer that AWS would then refuse to delete.
      lifecycle: statefulLifecycle(props.lifecycle ?? lifecyclePolicy()),
    });

    const listener = (
      lid: string,
      port: number,
      protocol: "HTTP" | "HTTPS",
      action: LbListenerDefaultAction,
    ) =>
      new LbListener(this, lid, {
        loadBalancerArn: alb.arn,
        port,
        protocol,
        sslPolicy: protocol === "HTTPS" ? config.sslPolicy : undefined,
        certificateArn: protocol === "HTTPS" ? config.certificateArn : undefined,
        defaultAction: [action],
      });

    let production: LbListener;
    if (https) {
      production = listener("https", HTTPS_PORT, "HTTPS", NOT_FOUND);
      listener("http-redirect", HTTP_PORT, "HTTP", {
        type: "redirect",
        redirect: { port: `${HTTPS_PORT}`, protocol: "HTTPS", statusCode: "HTTP_301" },
      });
    } else {
      production = listener("http", HTTP_PORT, "HTTP", NOT_FOUND);
    }
    // The test listener speaks what production speaks: green is validated over TLS too.
    const test = withTestListener
      ? listener("test", config.testListenerPort, https ? "HTTPS" : "HTTP", NOT_FOUND)
      : undefined;

    this.albArn = alb.arn;
    this.albArnSuffix = alb.arnSuffix;
    this.dnsName = alb.dnsName;
    this.zoneId = alb.zoneId;
    this.securityGroupId = sg.id;
    this.productionListenerArn = production.arn;
    this.productionPort = https ? HTTPS_PORT : HTTP_PORT;
    this.productionProtocol = https ? "HTTPS" : "HTTP";
    this.testListenerArn = test?.arn;
    this.testListenerPort = test ? config.testListenerPort : undefined;
  }
}

function validate(props: PlatformLoadBalancerProps, publicPorts: number[]): void {
  const port = props.config.testListenerPort;
  if (publicPorts.includes(port)) {
    throw new ValidationError(
      `loadBalancer.testListenerPort: ${port} is already a production listener port (${publicPorts.join(", ")}); choose another, e.g. 8443`,
    );
  }
  if (props.publicSubnetIds.length < 2) {
    throw new ValidationError(
      `load balancer: ${props.publicSubnetIds.length} public subnet(s) given; an ALB needs subnets in at least two AZs`,
    );
  }
  for (const p of props.targetPorts ?? []) {
    if (!Number.isInteger(p) || p < 1 || p > 65535)
      throw new ValidationError(`load balancer: target port ${p} is not a TCP port (1-65535)`);
  }
  // ELB takes only an ACM certificate of its own Region (CreateListener fails with
  // CertificateNotFound otherwise); the schema checks the ARN's shape, not its Region.
  const certificateRegion = props.config.certificateArn?.split(":")[3];
  if (certificateRegion !== undefined && certificateRegion !== props.region) {
    throw new ValidationError(
      `loadBalancer.certificateArn: ${props.config.certificateArn} is in ${certificateRegion}; the ALB is in ${props.region} and needs an ACM certificate from ${props.region}`,
    );
  }
}
