/**
 * ECS-native blue/green for a service (deployment controller `ECS`, strategy BLUE_GREEN, CANARY
 * or LINEAR): the infrastructure role ECS assumes to move the listener rules' weights between
 * the blue and green target groups, and the CloudWatch alarms the service's `alarms` block
 * rolls a deployment back on. The ECS service itself (deployment_configuration,
 * load_balancer.advanced_configuration) is built by `FargateEcsService`.
 *
 * AWS facts this relies on (ECS developer guide: "Amazon ECS blue/green deployments",
 * "Application Load Balancer resources for blue/green deployments", "Amazon ECS infrastructure
 * IAM role for load balancers"): the role trusts ecs.amazonaws.com and carries the managed
 * policy AmazonECSInfrastructureRolePolicyForLoadBalancers; the production rule forwards to both
 * target groups with weights (ECS rewrites them); works with Service Connect, whose proxies
 * send callers to green only when production traffic shifts.
 */
import { Construct } from "constructs";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { ServiceConfig } from "../../config/schema";
import type { Naming } from "../naming";
import { awsContext, serviceTrustDocument } from "../stack-shared";
import { createGateAlarms } from "./blue-green";
import type { TargetGroupColor } from "./web-traffic";

export interface EcsBlueGreenProps {
  readonly naming: Naming;
  readonly serviceName: string;
  readonly healthCheck: ServiceConfig["healthCheck"];
  /** The ALB side, when the service sits behind it. @default none (Service Connect only) */
  readonly loadBalancer?: {
    readonly arnSuffix: string;
    readonly targetGroups: Readonly<Record<TargetGroupColor, LbTargetGroup>>;
  };
}

export class EcsBlueGreen extends Construct {
  /** Role ECS assumes to modify the listener rules (only behind the ALB). */
  readonly infrastructureRole?: IamRole;
  /** Attachment of the managed policy: the service must wait for it. */
  readonly infrastructurePolicy?: IamRolePolicyAttachment;
  /** Target 5xx and unhealthy-host alarms of both target groups (only behind the ALB). */
  readonly alarms: CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: EcsBlueGreenProps) {
    super(scope, id);
    const lb = props.loadBalancer;
    if (!lb) {
      this.alarms = [];
      return;
    }
    const trust = serviceTrustDocument(this, "ecs-infrastructure-trust", "ecs.amazonaws.com");
    this.infrastructureRole = new IamRole(this, "infrastructure-role", {
      name: props.naming.name("iamRole", `${props.serviceName}-ecs-lb`),
      assumeRolePolicy: trust.json,
    });
    // The AWS-managed policy for ECS blue/green with ELB: Describe* and Modify/Register on
    // listener rules and target groups, which ECS discovers per deployment (no ARN scoping).
    this.infrastructurePolicy = new IamRolePolicyAttachment(this, "infrastructure-policy", {
      role: this.infrastructureRole.name,
      policyArn: `arn:${awsContext(this).partition}:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers`,
    });
    this.alarms = createGateAlarms(this, {
      naming: props.naming,
      serviceName: props.serviceName,
      loadBalancerArnSuffix: lb.arnSuffix,
      targetGroups: lb.targetGroups,
      healthCheck: props.healthCheck,
      controller: "ECS",
    });
  }
}
