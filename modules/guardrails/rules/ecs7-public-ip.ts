import { failing, isTrue, nested } from "../stack-view";
import type { Rule } from "../types";

export const ECS7: Rule = {
  id: "ECS7",
  severity: "error",
  control: "ECS.2",
  category: "security",
  info: "ECS services do not assign public IP addresses",
  explanation:
    "A task with a public IP is reachable from the internet around the load balancer. Run tasks in private subnets with `assign_public_ip = false`; they reach AWS APIs through NAT or VPC endpoints.",
  check: (stack) =>
    failing(
      stack,
      ["aws_ecs_service"],
      (a) => !nested(a.network_configuration).some((n) => isTrue(n.assign_public_ip)),
      () => "network_configuration.assign_public_ip is true",
    ),
};
