/**
 * The ALB side of a `web` service deployed blue/green by CodeDeploy: two identical target
 * groups (blue, green) and the listener rules that send the service's paths to blue on the
 * production and the test listener. CodeDeploy swaps the rules' forward action between blue and
 * green on every deployment, so Terraform ignores changes to it.
 */
import { Construct } from "constructs";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { ServiceConfig } from "../../config/schema";
import type { Naming } from "../naming";

/** ALB quotas for one listener rule (not adjustable): condition values and wildcards per rule. */
export const MAX_PATH_PATTERNS_PER_RULE = 5;
export const MAX_WILDCARDS_PER_RULE = 5;
/** Longest path pattern an ALB path-pattern condition accepts. */
export const MAX_PATH_PATTERN_LENGTH = 128;
/** Listener rule priorities AWS accepts. */
export const LISTENER_RULE_PRIORITY_RANGE = [1, 50000] as const;

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
  /** Listener CodeDeploy uses to send test traffic to green before production traffic shifts. */
  readonly testListenerArn: string;
  /** Seconds a deregistering target keeps draining; the AWS default (300) slows every deployment. */
  readonly deregistrationDelaySeconds: number;
}

export const TARGET_GROUP_COLORS = ["blue", "green"] as const;
export type TargetGroupColor = (typeof TARGET_GROUP_COLORS)[number];

export class WebTraffic extends Construct {
  /** Target group the ECS service starts on (its `load_balancer` block references it). */
  readonly blue: LbTargetGroup;
  /** Target group CodeDeploy registers the replacement task set in. */
  readonly green: LbTargetGroup;
  readonly productionRule: LbListenerRule;
  readonly testRule: LbListenerRule;

  constructor(scope: Construct, id: string, props: WebTrafficProps) {
    super(scope, id);
    validate(props);
    const hc = props.healthCheck;

    // Blue and green are identical: CodeDeploy alternates which one serves production.
    const targetGroup = (color: TargetGroupColor) =>
      new LbTargetGroup(this, color, {
        name: props.naming.name("targetGroup", `${color}-${props.serviceName}`),
        // Fargate tasks use awsvpc networking: targets are task ENI IPs, not instances.
        targetType: "ip",
        protocol: "HTTP",
        port: props.port,
        vpcId: props.vpcId,
        deregistrationDelay: String(props.deregistrationDelaySeconds),
        healthCheck: {
          enabled: true,
          protocol: "HTTP",
          port: "traffic-port",
          path: hc.path,
          interval: hc.intervalSeconds,
          timeout: hc.timeoutSeconds,
          healthyThreshold: hc.healthyThreshold,
          unhealthyThreshold: hc.unhealthyThreshold,
          matcher: hc.matcher,
        },
      });
    this.blue = targetGroup("blue");
    this.green = targetGroup("green");

    // The test listener gets the same rule so CodeDeploy can point it at green first.
    const rule = (which: "production" | "test", listenerArn: string) =>
      new LbListenerRule(this, `${which}-rule`, {
        listenerArn,
        priority: props.priority,
        condition: [{ pathPattern: { values: props.paths } }],
        action: [{ type: "forward", targetGroupArn: this.blue.arn }],
        // CodeDeploy rewrites the forward action (blue <-> green, weighted during canary and
        // linear shifts); Terraform must not put it back.
        lifecycle: { ignoreChanges: ["action"] },
      });
    this.productionRule = rule("production", props.productionListenerArn);
    this.testRule = rule("test", props.testListenerArn);
  }
}

function validate(props: WebTrafficProps): void {
  const at = `services.${props.serviceName}`;
  const { paths, priority, healthCheck: hc } = props;
  if (paths.length === 0 || paths.length > MAX_PATH_PATTERNS_PER_RULE) {
    // Splitting into several rules would need several priorities; one rule per service keeps
    // the lead's priority plan simple, so the quota is enforced here instead.
    throw new Error(
      `${at}.paths: ${paths.length} path patterns; an ALB listener rule takes 1 to ${MAX_PATH_PATTERNS_PER_RULE} (condition values per rule)`,
    );
  }
  const tooLong = paths.find((p) => p.length > MAX_PATH_PATTERN_LENGTH);
  if (tooLong !== undefined) {
    throw new Error(
      `${at}.paths: ${tooLong} is longer than ${MAX_PATH_PATTERN_LENGTH} characters, the ALB path-pattern limit`,
    );
  }
  const wildcards = paths.join("").replace(/[^*?]/g, "").length;
  if (wildcards > MAX_WILDCARDS_PER_RULE) {
    throw new Error(
      `${at}.paths: ${paths.join(", ")} hold ${wildcards} wildcards (* or ?); an ALB listener rule allows ${MAX_WILDCARDS_PER_RULE}`,
    );
  }
  const [minPriority, maxPriority] = LISTENER_RULE_PRIORITY_RANGE;
  if (!Number.isInteger(priority) || priority < minPriority || priority > maxPriority) {
    throw new Error(`${at}: listener rule priority ${priority} is outside ${minPriority}..${maxPriority}`);
  }
  // ELBv2 rejects a target group whose health check timeout is not below its interval.
  if (hc.timeoutSeconds >= hc.intervalSeconds) {
    throw new Error(
      `${at}.healthCheck.timeoutSeconds: ${hc.timeoutSeconds} must be less than intervalSeconds (${hc.intervalSeconds})`,
    );
  }
  if (!/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(hc.matcher)) {
    throw new Error(
      `${at}.healthCheck.matcher: ${hc.matcher} is not an HTTP code list (e.g. 200, 200-399 or 200,204)`,
    );
  }
  if (props.deregistrationDelaySeconds < 0 || props.deregistrationDelaySeconds > 3600) {
    throw new Error(`${at}: deregistration delay ${props.deregistrationDelaySeconds} s is outside 0..3600`);
  }
}
