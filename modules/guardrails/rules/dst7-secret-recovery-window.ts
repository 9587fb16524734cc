import { failing } from "../stack-view";
import type { Rule } from "../types";

export const DST7: Rule = {
  id: "DST7",
  severity: "error",
  category: "destroyability",
  info: "Secrets Manager secrets have no recovery window",
  explanation:
    "A deleted secret stays scheduled for deletion for 30 days by default and its name cannot be reused, so the next environment with the same suffix fails to create it. Set `recovery_window_in_days = 0`.",
  check: (stack) =>
    failing(
      stack,
      ["aws_secretsmanager_secret"],
      (a) => Number(a.recovery_window_in_days) === 0 && a.recovery_window_in_days !== undefined,
      (r) => `recovery_window_in_days is ${r.attrs.recovery_window_in_days ?? "unset (30)"}`,
    ),
};
