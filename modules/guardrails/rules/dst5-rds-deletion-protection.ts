import { failing, isTrue } from "../stack-view";
import type { Rule } from "../types";

export const DST5: Rule = {
  id: "DST5",
  severity: "error",
  category: "destroyability",
  profile: ["ephemeral", "retiring"],
  info: "RDS clusters and instances have deletion protection off",
  explanation:
    "Deletion protection makes destroy fail on the database (the opposite of Security Hub RDS.7/RDS.8, deliberately: environments here are disposable). Leave `deletion_protection` false. Persistent environments (`lifecycle: persistent`) check the protective mirror PRS5 instead.",
  check: (stack) =>
    failing(
      stack,
      ["aws_rds_cluster", "aws_db_instance"],
      (a) => !isTrue(a.deletion_protection),
      () => `deletion_protection is true`,
    ),
};

export const PRS5: Rule = {
  id: "PRS5",
  severity: "error",
  category: "destroyability",
  profile: "persistent",
  control: "RDS.7",
  info: "RDS clusters and instances have deletion protection on",
  explanation:
    "A persistent environment's database holds data nothing else has; with `deletion_protection = true` RDS refuses DeleteDBCluster whatever Terraform plans. Set it (updated in place).",
  check: (stack) =>
    failing(
      stack,
      ["aws_rds_cluster", "aws_db_instance"],
      (a) => isTrue(a.deletion_protection),
      (r) => `deletion_protection is ${r.attrs.deletion_protection ?? "unset (false)"}`,
    ),
};
