import { failing } from "../stack-view";
import type { Rule } from "../types";

export const SM1: Rule = {
  id: "SM1",
  severity: "error",
  category: "security",
  info: "Secrets Manager secrets are encrypted with a customer-managed KMS key",
  explanation:
    "The AWS-managed key (aws/secretsmanager) cannot be shared across accounts nor have its access audited and revoked per environment. Set `kms_key_id` to the platform key, and grant the task execution role kms:Decrypt on it.",
  check: (stack) =>
    failing(
      stack,
      ["aws_secretsmanager_secret"],
      (a) => typeof a.kms_key_id === "string" && a.kms_key_id.length > 0,
      () => "kms_key_id is not set (aws/secretsmanager default key)",
    ),
};
