import { failing } from "../stack-view";
import type { Rule } from "../types";

export const ECS3: Rule = {
  id: "ECS3",
  severity: "error",
  control: "ECS.3",
  category: "security",
  info: "Task definitions do not share the host's process namespace",
  explanation:
    "With `pid_mode = host` containers see and can signal every process on the host. Leave `pid_mode` unset or use `task`.",
  check: (stack) =>
    failing(
      stack,
      ["aws_ecs_task_definition"],
      (a) => a.pid_mode !== "host",
      () => "pid_mode is host",
    ),
};
