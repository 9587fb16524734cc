/**
 * The ALB side of a `web` service: its target groups and the listener rules that send the
 * service's paths to them.
 *
 * - rolling: one target group (`blue`) and a production rule Terraform owns completely.
 * - codedeploy / ecs-blue-green: two identical target groups (blue, green), a production and a
 *   test rule. The deployment controller rewrites both rules' forward action on every deployment
 *   (CodeDeploy swaps blue and green; ECS-native blue/green moves the weights of a weighted
 *   forward), so Terraform ignores `action` on those rules only.
 *
 * Day 2: target groups are create-before-destroy with names that change with the attributes
 * that replace them (port, protocol, target type), so a replacement never collides with the old
 * group; a blue/green rule (whose action Terraform ignores, so it would never receive the new
 * ARN) is replaced with its target groups; every rule depends on both groups of its pair, so
 * Terraform removes or rewrites the rule before it deletes a group (never ResourceInUse).
 */
import { Construct } from "constructs";
import type { TerraformResource } from "cdktf";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { isBlueGreen, type DeploymentStrategy, type ServiceConfig } from "../../config/schema";
import type { Naming } from "../naming";
import { ValidationError } from "../errors";

/** ALB quotas for one listener rule (not adjustable): condition values and wildcards per rule. */
export const MAX_PATH_PATTERNS_PER_RULE = 5;
export const MAX_WILDCARDS_PER_RULE = 5;
/** Longest path pattern an ALB path-pattern condition accepts. */
export const MAX_PATH_PATTERN_LENGTH = 128;
/** Listener rule priorities AWS accepts. */
export const LISTENER_RULE_PRIORITY_RANGE = [1, 50000] as const;

/** Target group attributes the AWS provider replaces the group for (ForceNew) and we set. */
export const TARGET_GROUP_PROTOCOL = "HTTP";
export const TARGET_GROUP_TARGET_TYPE = "ip";

export interface WebTrafficProps {
  readonly naming: Naming;
  /** Service name in the config (goes into the target group names). */
  readonly serviceName: string;
  readonly vpcId: string;
  /** Container port the targets (task ENIs) listen on. */
  readonly port: number;
  readonly healthCheck: ServiceConfig["healthCheck"];
  /** ALB path patterns routed to this service (1 to 5, the per-rule quota). */
  readonly paths: string[];
  /** Listener rule priority, unique per listener; the same value is used on both listeners. */
  readonly priority: number;
  readonly productionListenerArn: string;
  /** How the service deploys: blue/green strategies get green, a test rule and ignored actions. */
  readonly strategy: DeploymentStrategy;
  /** Listener blue/green sends test traffic to green on (required for blue/green). */
  readonly testListenerArn?: string;
  /** Seconds a deregistering target keeps draining; the AWS default (300) slows every deployment. */
  readonly deregistrationDelaySeconds: number;
}

export const TARGET_GROUP_COLORS = ["blue", "green"] as const;
export type TargetGroupColor = (typeof TARGET_GROUP_COLORS)[number];

export class WebTraffic extends Construct {
  /** Target group the ECS service starts on (its `load_balancer` block references it). */
  readonly blue: LbTargetGroup;
  /** Target group a blue/green deployment starts the new revision in; absent when rolling. */
  readonly green?: LbTargetGroup;
  readonly productionRule: LbListenerRule;
  /** Rule on the test listener (blue/green only). */
  readonly testRule?: LbListenerRule;
  /** Whether a deployment controller owns the rules' actions. */
  readonly blueGreen: boolean;

  constructor(scope: Construct, id: string, props: WebTrafficProps) {
    super(scope, id);
    validate(props);
    const hc = props.healthCheck;
    this.blueGreen = isBlueGreen(props.strategy);

    // Blue and green are identical: the deployment controller alternates which one serves.
    const targetGroup = (color: TargetGroupColor) =>
      new LbTargetGroup(this, color, {
        name: props.naming.replaceableName("targetGroup", `${color}-${props.serviceName}`, {
          port: props.port,
          protocol: TARGET_GROUP_PROTOCOL,
          targetType: TARGET_GROUP_TARGET_TYPE,
        }),
        // Fargate tasks use awsvpc networking: targets are task ENI IPs, not instances.
        targetType: TARGET_GROUP_TARGET_TYPE,
        protocol: TARGET_GROUP_PROTOCOL,
        port: props.port,
        vpcId: props.vpcId,
        deregistrationDelay: String(props.deregistrationDelaySeconds),
        healthCheck: {
          enabled: true,
          // Updated in place (the provider does not replace the group for it).
          protocol: hc.protocol,
          port: "traffic-port",
          path: hc.path,
          interval: hc.intervalSeconds,
          timeout: hc.timeoutSeconds,
          healthyThreshold: hc.healthyThreshold,
          unhealthyThreshold: hc.unhealthyThreshold,
          matcher: hc.matcher,
        },
        // The replacement (a new port) exists before the rules and the service move to it.
        lifecycle: { createBeforeDestroy: true },
      });
    this.blue = targetGroup("blue");
    this.green = this.blueGreen ? targetGroup("green") : undefined;
    const pair = [this.blue, ...(this.green ? [this.green] : [])];

    const rule = (which: "production" | "test", listenerArn: string) =>
      new LbListenerRule(this, `${which}-rule`, {
        listenerArn,
        priority: props.priority,
        condition: [{ pathPattern: { values: props.paths } }],
        action: [forwardAction(props.strategy, this.blue, this.green)],
        // Recorded in state: a destroy or a pair change removes/rewrites the rule before either
        // group is deleted, also when the controller left production on green (whose ARN is
        // not in the rule's configuration for CodeDeploy).
        dependsOn: pair,
        lifecycle: this.blueGreen
          ? {
              // The controller owns the forward action; Terraform must not put it back.
              ignoreChanges: ["action"],
              // ...so it never receives a replaced group's ARN: replace the rule with the group.
              replaceTriggeredBy: pair.map(replacementTrigger),
            }
          : undefined,
      });
    this.productionRule = rule("production", props.productionListenerArn);
    if (this.blueGreen) {
      if (!props.testListenerArn)
        throw new ValidationError(
          `services.${props.serviceName}.deployment.strategy: ${props.strategy} needs the ALB's test listener`,
          this,
        );
      this.testRule = rule("test", props.testListenerArn);
    }
  }
}

/**
 * A `replace_triggered_by` entry that fires when the resource is replaced (its id changes), not
 * on its in-place updates (a target group's health check path).
 */
export const replacementTrigger = (resource: TerraformResource) =>
  `${resource.terraformResourceType}.${resource.friendlyUniqueId}.id`;

/**
 * CodeDeploy starts from a plain forward to blue and rewrites it. ECS-native blue/green needs a
 * weighted forward over both groups (primary 100, alternate 0), whose weights it then moves.
 */
function forwardAction(strategy: DeploymentStrategy, blue: LbTargetGroup, green?: LbTargetGroup) {
  if (strategy === "ecs-blue-green" && green) {
    return {
      type: "forward",
      forward: {
        targetGroup: [
          { arn: blue.arn, weight: 100 },
          { arn: green.arn, weight: 0 },
        ],
      },
    };
  }
  return { type: "forward", targetGroupArn: blue.arn };
}

function validate(props: WebTrafficProps): void {
  const at = `services.${props.serviceName}`;
  const { paths, priority, healthCheck: hc } = props;
  if (paths.length === 0 || paths.length > MAX_PATH_PATTERNS_PER_RULE) {
    // Splitting into several rules would need several priorities; one rule per service keeps
    // the lead's priority plan simple, so the quota is enforced here instead.
    throw new ValidationError(
      `${at}.paths: ${paths.length} path patterns; an ALB listener rule takes 1 to ${MAX_PATH_PATTERNS_PER_RULE} (condition values per rule)`,
    );
  }
  const tooLong = paths.find((p) => p.length > MAX_PATH_PATTERN_LENGTH);
  if (tooLong !== undefined) {
    throw new ValidationError(
      `${at}.paths: ${tooLong} is longer than ${MAX_PATH_PATTERN_LENGTH} characters, the ALB path-pattern limit`,
    );
  }
  const wildcards = paths.join("").replace(/[^*?]/g, "").length;
  if (wildcards > MAX_WILDCARDS_PER_RULE) {
    throw new ValidationError(
      `${at}.paths: ${paths.join(", ")} hold ${wildcards} wildcards (* or ?); an ALB listener rule allows ${MAX_WILDCARDS_PER_RULE}`,
    );
  }
  const [minPriority, maxPriority] = LISTENER_RULE_PRIORITY_RANGE;
  if (!Number.isInteger(priority) || priority < minPriority || priority > maxPriority) {
    throw new ValidationError(
      `${at}: listener rule priority ${priority} is outside ${minPriority}..${maxPriority}`,
    );
  }
  // ELBv2 rejects a target group whose health check timeout is not below its interval.
  if (hc.timeoutSeconds >= hc.intervalSeconds) {
    throw new ValidationError(
      `${at}.healthCheck.timeoutSeconds: ${hc.timeoutSeconds} must be less than intervalSeconds (${hc.intervalSeconds})`,
    );
  }
  if (!/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(hc.matcher)) {
    throw new ValidationError(
      `${at}.healthCheck.matcher: ${hc.matcher} is not an HTTP code list (e.g. 200, 200-399 or 200,204)`,
    );
  }
  if (props.deregistrationDelaySeconds < 0 || props.deregistrationDelaySeconds > 3600) {
    throw new ValidationError(
      `${at}: deregistration delay ${props.deregistrationDelaySeconds} s is outside 0..3600`,
    );
  }
}
