import { failing } from "../stack-view";
import type { Rule } from "../types";

export const DST7: Rule = {
  id: "DST7",
  severity: "error",
  category: "destroyability",
  profile: "ephemeral",
  info: "Secrets Manager secrets have no recovery window",
  explanation:
    "A deleted secret stays scheduled for deletion for 30 days by default and its name cannot be reused, so the next environment with the same suffix fails to create it. Set `recovery_window_in_days = 0`. Persistent environments (`lifecycle: persistent`) check the protective mirror PRS7 instead.",
  check: (stack) =>
    failing(
      stack,
      ["aws_secretsmanager_secret"],
      (a) => Number(a.recovery_window_in_days) === 0 && a.recovery_window_in_days !== undefined,
      (r) => `recovery_window_in_days is ${r.attrs.recovery_window_in_days ?? "unset (30)"}`,
    ),
};

export const PRS7: Rule = {
  id: "PRS7",
  severity: "error",
  category: "destroyability",
  profile: ["persistent", "retiring"],
  info: "Secrets Manager secrets keep a recovery window (7-30 days)",
  explanation:
    "A persistent environment's secrets are restorable after an accidental delete only during the recovery window; `recovery_window_in_days = 0` deletes them at once. Leave it unset (30) or set 7-30.",
  check: (stack) =>
    failing(
      stack,
      ["aws_secretsmanager_secret"],
      (a) => a.recovery_window_in_days === undefined || Number(a.recovery_window_in_days) >= 7,
      (r) => `recovery_window_in_days is ${r.attrs.recovery_window_in_days}`,
    ),
};
