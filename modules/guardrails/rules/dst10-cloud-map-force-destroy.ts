import { failing, isTrue } from "../stack-view";
import type { Rule } from "../types";

export const DST10: Rule = {
  id: "DST10",
  severity: "error",
  category: "destroyability",
  info: "Cloud Map services set force_destroy",
  explanation:
    "Cloud Map refuses to delete a service that still has registered instances (ECS deregisters them asynchronously), a usual cause of failed destroys. Set `force_destroy = true`.",
  check: (stack) =>
    failing(
      stack,
      ["aws_service_discovery_service"],
      (a) => isTrue(a.force_destroy),
      (r) => `force_destroy is ${r.attrs.force_destroy ?? "unset (false)"}`,
    ),
};
