import { failing } from "../stack-view";
import type { Rule } from "../types";

export const LOG1: Rule = {
  id: "LOG1",
  severity: "error",
  category: "security",
  info: "Log groups are encrypted with a customer-managed KMS key",
  explanation:
    "Application logs carry order and account data; a customer-managed key lets you audit and revoke access to them. Set `kms_key_id` to the platform key (whose key policy must allow the logs service principal). No Security Hub control; AWS Control Tower CT.CLOUDWATCH.PR.3.",
  check: (stack) =>
    failing(
      stack,
      ["aws_cloudwatch_log_group"],
      (a) => typeof a.kms_key_id === "string" && a.kms_key_id.length > 0,
      () => "kms_key_id is not set",
    ),
};
