import { failing } from "../stack-view";
import type { Rule } from "../types";

export const LOG2: Rule = {
  id: "LOG2",
  severity: "error",
  control: "CloudWatch.16",
  category: "operations",
  info: "Log groups have a retention period",
  explanation:
    "Without `retention_in_days` (or with 0) logs are kept forever and their cost only grows. Set the blueprint's retention (logRetentionDays).",
  check: (stack) =>
    failing(
      stack,
      ["aws_cloudwatch_log_group"],
      (a) => Number(a.retention_in_days) > 0,
      (r) => `retention_in_days is ${r.attrs.retention_in_days ?? "unset (never expire)"}`,
    ),
};
