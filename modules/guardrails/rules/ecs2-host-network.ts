import { failing } from "../stack-view";
import type { Rule } from "../types";

export const ECS2: Rule = {
  id: "ECS2",
  severity: "error",
  control: "ECS.1",
  category: "security",
  info: "Task definitions do not use the host network mode",
  explanation:
    "With `network_mode = host` containers share the host's network stack and bypass task security groups. Use `awsvpc` (the only Fargate mode), which gives each task its own ENI and security groups.",
  check: (stack) =>
    failing(
      stack,
      ["aws_ecs_task_definition"],
      (a) => a.network_mode !== "host",
      () => "network_mode is host",
    ),
};
