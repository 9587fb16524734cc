import { failing } from "../stack-view";
import type { Rule } from "../types";

export const DST8: Rule = {
  id: "DST8",
  severity: "error",
  category: "destroyability",
  info: "KMS keys have the shortest deletion window (7 days)",
  explanation:
    "A destroyed key is billed and blocks nothing, but keeps its key material for the whole window; 7 days (the AWS minimum) ends it soonest. Set `deletion_window_in_days = 7`.",
  check: (stack) =>
    failing(
      stack,
      ["aws_kms_key"],
      (a) => Number(a.deletion_window_in_days) === 7,
      (r) => `deletion_window_in_days is ${r.attrs.deletion_window_in_days ?? "unset (30)"}`,
    ),
};
