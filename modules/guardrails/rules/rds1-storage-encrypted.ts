import { failing, isTrue } from "../stack-view";
import type { Rule } from "../types";

export const RDS1: Rule = {
  id: "RDS1",
  severity: "error",
  control: "RDS.27 (clusters), RDS.3 (instances)",
  category: "security",
  info: "RDS clusters and instances are encrypted at rest",
  explanation:
    "Encryption can only be chosen at creation; an unencrypted database must be rebuilt from a snapshot to fix. Set `storage_encrypted = true` (and `kms_key_id` for a customer-managed key).",
  check: (stack) =>
    failing(
      stack,
      ["aws_rds_cluster", "aws_db_instance"],
      (a) => isTrue(a.storage_encrypted),
      () => "storage_encrypted is not true",
    ),
};
