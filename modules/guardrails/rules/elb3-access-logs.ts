import { failing, isTrue, nested } from "../stack-view";
import type { Rule } from "../types";

export const ELB3: Rule = {
  id: "ELB3",
  severity: "warning",
  control: "ELB.5",
  category: "operations",
  info: "Application load balancers write access logs",
  explanation:
    "Access logs are the only record of who called what through the ALB (incident response, audits). Set `access_logs { bucket, enabled = true }` with a bucket the ELB service account can write to. A warning: short-lived test environments may go without (loadBalancer.accessLogs.enabled: false).",
  check: (stack) =>
    failing(
      stack,
      ["aws_lb", "aws_alb"],
      (a) =>
        (a.load_balancer_type ?? "application") !== "application" ||
        nested(a.access_logs).some((l) => isTrue(l.enabled)),
      () => "access_logs.enabled is not true",
    ),
};
