import { failing, nested } from "../stack-view";
import type { Rule } from "../types";

export const ECS8: Rule = {
  id: "ECS8",
  severity: "error",
  control: "ECS.12",
  category: "operations",
  info: "ECS clusters have Container Insights on",
  explanation:
    "Without Container Insights there are no task-level CPU/memory metrics for alarms and dashboards. Add `setting { name = containerInsights, value = enhanced }` (or `enabled`) to the cluster.",
  check: (stack) =>
    failing(
      stack,
      ["aws_ecs_cluster"],
      (a) =>
        nested(a.setting).some(
          (s) => s.name === "containerInsights" && (s.value === "enabled" || s.value === "enhanced"),
        ),
      () => "setting containerInsights is not enabled or enhanced",
    ),
};
