import { failing, isTrue } from "../stack-view";
import type { Rule } from "../types";

export const ELB1: Rule = {
  id: "ELB1",
  severity: "error",
  control: "ELB.4",
  category: "security",
  info: "Application load balancers drop invalid HTTP header fields",
  explanation:
    "Headers with invalid characters are a request-smuggling vector to the targets. Set `drop_invalid_header_fields = true` on the ALB.",
  check: (stack) =>
    failing(
      stack,
      ["aws_lb", "aws_alb"],
      (a) =>
        (a.load_balancer_type ?? "application") !== "application" || isTrue(a.drop_invalid_header_fields),
      () => "drop_invalid_header_fields is not true",
    ),
};
