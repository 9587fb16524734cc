import { failing, isTrue } from "../stack-view";
import type { Rule } from "../types";

export const DST9: Rule = {
  id: "DST9",
  severity: "error",
  category: "destroyability",
  info: "ECS services set force_delete",
  explanation:
    "An ECS service with running tasks (or a stuck deployment) cannot be deleted until scaled to zero; `force_delete = true` deletes it anyway, so destroy does not hang or fail on it.",
  check: (stack) =>
    failing(
      stack,
      ["aws_ecs_service"],
      (a) => isTrue(a.force_delete),
      (r) => `force_delete is ${r.attrs.force_delete ?? "unset (false)"}`,
    ),
};
