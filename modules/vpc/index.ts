import { Fn } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc as AwsVpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { planSubnets } from "../../config/cidr";
import type { Blueprint } from "../../config/schema";
import type { Naming, ResourceKind } from "../naming";
import { ValidationError } from "../errors";

export type NetworkConfig = Blueprint["network"];
export type SubnetTier = "public" | "private" | "database";

/** The platform always spans three AZs (the schema pins `network.azCount` to 3). */
export const AZ_COUNT = 3;

/**
 * Interface endpoints that let Fargate tasks start and run without NAT: image pulls (ECR API
 * and Docker registry; layers come from S3 through the gateway endpoint), awslogs, secrets
 * injection and the X-Ray daemon.
 */
export const INTERFACE_ENDPOINT_SERVICES = ["ecr.api", "ecr.dkr", "logs", "secretsmanager", "xray"] as const;

export interface VpcProps {
  /** Builds every resource name (and `Name` tag). */
  readonly naming: Naming;
  /** Region of the provider; used in endpoint service names and the flow-log trust policy. */
  readonly region: string;
  /** The blueprint's `network` section (CIDR, NAT mode, endpoints, flow logs, subnets, AZs). */
  readonly network: NetworkConfig;
  /** Create the isolated database tier (the blueprint has a `database` section). */
  readonly databaseSubnets: boolean;
  /** Customer-managed key that encrypts the flow-log group (its policy must admit CloudWatch Logs). @default AWS-owned key */
  readonly flowLogsKmsKeyArn?: string;
}

/**
 * A three-AZ VPC with three subnet tiers:
 * - public: ALB and NAT gateways; the only tier with a route to the internet gateway;
 * - private: Fargate tasks; egress through NAT (one per AZ or one shared), no inbound path;
 * - database (only when the blueprint has a database): local routes only, no internet at all.
 * Plus the S3 gateway endpoint (free), optional interface endpoints, optional flow logs to
 * CloudWatch Logs, and the default security group stripped of its rules.
 */
export class Vpc extends Construct {
  readonly vpcId: string;
  /** The VPC CIDR from config (a plain string, so using it creates no cross-stack reference). */
  readonly vpcCidr: string;
  /** AZ names in tier order (tokens unless pinned by `network.availabilityZones`). */
  readonly availabilityZones: string[];
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
  /** Empty when the blueprint has no database. */
  readonly databaseSubnetIds: string[];
  readonly privateRouteTableIds: string[];
  /**
   * Public IPv4 addresses of the NAT gateways: the source address of every connection from the
   * private tier to a public endpoint, including this VPC's internet-facing ALB.
   */
  readonly natPublicIps: string[];
  /** Security group of the interface endpoints, when they exist. */
  readonly endpointSecurityGroupId?: string;
  /** Flow-log group name, when flow logs are on. */
  readonly flowLogGroupName?: string;

  constructor(scope: Construct, id: string, props: VpcProps) {
    super(scope, id);
    const { naming, network, region } = props;
    const plan = network.subnets ?? planSubnets(network.cidr);
    const shared = (what: string) => `${naming.blueprint}-${what}`;
    const nameTag = (kind: ResourceKind, what: string) => ({
      Name: naming.name(kind, shared(what)),
    });

    this.availabilityZones = this.resolveAvailabilityZones(network, region);
    this.vpcCidr = network.cidr;

    // DNS support and hostnames are both required for interface endpoints with private DNS
    // and for Cloud Map private namespaces.
    const vpc = new AwsVpc(this, "vpc", {
      cidrBlock: network.cidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: naming.name("vpc") },
    });
    this.vpcId = vpc.id;

    // Managing the default security group with no rules removes the allow-all rules AWS
    // creates, so nothing can silently fall back to it (CIS / Security Hub EC2.2).
    new DefaultSecurityGroup(this, "default-sg", {
      vpcId: vpc.id,
      ingress: [],
      egress: [],
      tags: nameTag("securityGroup", "default"),
    });

    const igw = new InternetGateway(this, "igw", {
      vpcId: vpc.id,
      tags: { Name: naming.name("internetGateway") },
    });

    const subnets = (tier: SubnetTier): Subnet[] =>
      plan[tier].map(
        (cidr, i) =>
          new Subnet(this, `${tier}-subnet-${i}`, {
            vpcId: vpc.id,
            cidrBlock: cidr,
            availabilityZone: this.availabilityZones[i],
            // The ALB and NAT gateways get their own addresses; nothing else gets a public IP.
            mapPublicIpOnLaunch: false,
            tags: nameTag("subnet", `${tier}-${i + 1}`),
          }),
      );
    const associate = (tier: SubnetTier, tierSubnets: Subnet[], tables: RouteTable[]) =>
      tierSubnets.forEach(
        (subnet, i) =>
          new RouteTableAssociation(this, `${tier}-rta-${i}`, {
            subnetId: subnet.id,
            routeTableId: tables[Math.min(i, tables.length - 1)].id,
          }),
      );
    const routeTable = (tier: SubnetTier, index?: number) =>
      new RouteTable(this, index === undefined ? `${tier}-rt` : `${tier}-rt-${index}`, {
        vpcId: vpc.id,
        tags: nameTag("routeTable", index === undefined ? tier : `${tier}-${index + 1}`),
      });

    // Public tier: one route table, default route to the internet gateway.
    const publicSubnets = subnets("public");
    const publicRt = routeTable("public");
    new Route(this, "public-default-route", {
      routeTableId: publicRt.id,
      destinationCidrBlock: "0.0.0.0/0",
      gatewayId: igw.id,
    });
    associate("public", publicSubnets, [publicRt]);
    this.publicSubnetIds = publicSubnets.map((s) => s.id);

    // NAT: per-az keeps each AZ's egress independent of the others (an AZ outage does not cut
    // the survivors off); single saves two NAT hourly charges at the cost of that isolation.
    const natCount = network.natGateways === "per-az" ? AZ_COUNT : 1;
    const natIps: string[] = [];
    const nats = Array.from({ length: natCount }, (_, i) => {
      // EIPs and NAT gateways need the internet gateway attached first (provider docs).
      const eip = new Eip(this, `nat-eip-${i}`, {
        domain: "vpc",
        tags: nameTag("eip", `nat-${i + 1}`),
        dependsOn: [igw],
      });
      natIps.push(eip.publicIp);
      return new NatGateway(this, `nat-${i}`, {
        allocationId: eip.allocationId,
        subnetId: publicSubnets[i].id,
        connectivityType: "public",
        tags: nameTag("natGateway", `${i + 1}`),
        dependsOn: [igw],
      });
    });

    // Private tier: one route table per NAT gateway, each subnet routed to its own AZ's NAT.
    const privateSubnets = subnets("private");
    const privateRts = nats.map((nat, i) => {
      const rt = routeTable("private", natCount === 1 ? undefined : i);
      new Route(this, `private-default-route-${i}`, {
        routeTableId: rt.id,
        destinationCidrBlock: "0.0.0.0/0",
        natGatewayId: nat.id,
      });
      return rt;
    });
    associate("private", privateSubnets, privateRts);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.privateRouteTableIds = privateRts.map((rt) => rt.id);
    this.natPublicIps = natIps;

    // Database tier: an explicit route table with only the implicit local route, so the
    // subnets never inherit whatever someone adds to the VPC's main route table.
    if (props.databaseSubnets) {
      const databaseSubnets = subnets("database");
      associate("database", databaseSubnets, [routeTable("database")]);
      this.databaseSubnetIds = databaseSubnets.map((s) => s.id);
    } else {
      this.databaseSubnetIds = [];
    }

    // S3 gateway endpoint: free, and ECR image layers are served from S3, so pulls stay off NAT.
    new VpcEndpoint(this, "s3-endpoint", {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: this.privateRouteTableIds,
      tags: nameTag("vpcEndpoint", "s3"),
    });

    if (network.interfaceEndpoints) {
      this.endpointSecurityGroupId = this.interfaceEndpoints(vpc, naming, region, shared);
    }
    if (network.flowLogs.enabled) {
      this.flowLogGroupName = this.flowLogs(
        vpc,
        naming,
        region,
        network.flowLogs.retentionDays,
        shared,
        props.flowLogsKmsKeyArn,
      );
    }
  }

  /**
   * Pinned AZ names, or the first three AZs of the region. Local and Wavelength zones are
   * excluded (they need opt-in and lack NAT gateways and Fargate); the data source sorts names,
   * so indexes are stable unless an AZ leaves the `available` state, which is why pinning
   * is offered.
   */
  private resolveAvailabilityZones(network: NetworkConfig, region: string): string[] {
    if (network.availabilityZones) {
      for (const [i, az] of network.availabilityZones.entries()) {
        // An AZ name is its region plus one letter (the schema checks the shape).
        if (az.slice(0, -1) !== region) {
          throw new ValidationError(
            `network.availabilityZones.${i}: ${az} is not in the blueprint's region ${region} (use ${region}a, ${region}b, ...)`,
            this,
          );
        }
      }
      if (new Set(network.availabilityZones).size !== AZ_COUNT) {
        throw new ValidationError(
          `network.availabilityZones: ${network.availabilityZones.join(", ")} must name ${AZ_COUNT} different AZs`,
          this,
        );
      }
      return [...network.availabilityZones];
    }
    const azs = new DataAwsAvailabilityZones(this, "azs", {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
      // Some Regions offer an account only two AZs (us-west-1); element() would then wrap and put
      // two subnets of a tier in one AZ, which the ALB rejects mid-apply. Fail at plan instead.
      lifecycle: {
        postcondition: [
          {
            condition: `\${length(self.names) >= ${AZ_COUNT}}`,
            errorMessage: `${region} has fewer than ${AZ_COUNT} available AZs for this account; use a Region with ${AZ_COUNT} or pin network.availabilityZones`,
          },
        ],
      },
    });
    return Array.from({ length: AZ_COUNT }, (_, i) => Fn.element(azs.names, i));
  }

  private interfaceEndpoints(
    vpc: AwsVpc,
    naming: Naming,
    region: string,
    shared: (what: string) => string,
  ): string {
    const sg = new SecurityGroup(this, "endpoint-sg", {
      name: naming.name("securityGroup", shared("vpce")),
      description: "VPC interface endpoints: HTTPS from inside the VPC",
      vpcId: vpc.id,
      tags: { Name: naming.name("securityGroup", shared("vpce")) },
    });
    // Only the VPC CIDR: endpoint ENIs answer tasks and nothing else. No egress rule is needed
    // (responses are stateful), and Terraform removes the default allow-all egress.
    new VpcSecurityGroupIngressRule(this, "endpoint-sg-https", {
      securityGroupId: sg.id,
      description: "HTTPS from the VPC",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: vpc.cidrBlock,
    });
    for (const service of INTERFACE_ENDPOINT_SERVICES) {
      const slug = service.replace(/\./g, "-");
      new VpcEndpoint(this, `${slug}-endpoint`, {
        vpcId: vpc.id,
        serviceName: `com.amazonaws.${region}.${service}`,
        vpcEndpointType: "Interface",
        // Private DNS makes the SDKs' default endpoint names resolve to the ENIs.
        privateDnsEnabled: true,
        subnetIds: this.privateSubnetIds,
        securityGroupIds: [sg.id],
        tags: { Name: naming.name("vpcEndpoint", shared(slug)) },
      });
    }
    return sg.id;
  }

  /**
   * Flow logs (all traffic) to a CloudWatch log group, encrypted with the given customer key
   * (the network stack's own: the platform's key lives in a stack that depends on this one).
   */
  private flowLogs(
    vpc: AwsVpc,
    naming: Naming,
    region: string,
    retentionDays: number,
    shared: (what: string) => string,
    kmsKeyArn: string | undefined,
  ): string {
    const logGroup = new CloudwatchLogGroup(this, "flow-log-group", {
      name: naming.name("flowLogGroup"),
      retentionInDays: retentionDays,
      kmsKeyId: kmsKeyArn,
    });
    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");

    // Confused-deputy protection: only flow logs of this account may assume the role.
    const trust = new DataAwsIamPolicyDocument(this, "flow-log-trust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: [account.accountId] },
            {
              test: "ArnLike",
              variable: "aws:SourceArn",
              values: [`arn:${partition.partition}:ec2:${region}:${account.accountId}:vpc-flow-log/*`],
            },
          ],
        },
      ],
    });
    const role = new IamRole(this, "flow-log-role", {
      name: naming.name("iamRole", "flow-logs"),
      assumeRolePolicy: trust.json,
    });
    // The log group already exists (no CreateLogGroup); streams live under `<group arn>:*`.
    const permissions = new DataAwsIamPolicyDocument(this, "flow-log-permissions", {
      statement: [
        {
          effect: "Allow",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          resources: [logGroup.arn, `${logGroup.arn}:*`],
        },
      ],
    });
    new IamRolePolicy(this, "flow-log-policy", {
      name: naming.name("iamPolicy", "flow-logs"),
      role: role.id,
      policy: permissions.json,
    });
    new FlowLog(this, "flow-log", {
      vpcId: vpc.id,
      trafficType: "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      tags: { Name: naming.name("flowLog", shared("vpc")) },
    });
    return logGroup.name;
  }
}
