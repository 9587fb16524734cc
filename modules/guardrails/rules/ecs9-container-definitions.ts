import { containerDefinitions, failing } from "../stack-view";
import type { Rule } from "../types";

export const ECS9: Rule = {
  id: "ECS9",
  severity: "error",
  category: "security",
  info: "Container definitions are literal JSON the guardrails can inspect",
  explanation:
    "Rules ECS1, ECS4, ECS5 and ECS6 read the container definitions; an expression such as `jsonencode(...)` hides them, so nothing would be checked. Build `container_definitions` with `JSON.stringify` (references inside values are fine).",
  check: (stack) =>
    failing(
      stack,
      ["aws_ecs_task_definition"],
      (_a, td) => containerDefinitions(td) !== undefined,
      () => "container_definitions is not a literal JSON array",
    ),
};
