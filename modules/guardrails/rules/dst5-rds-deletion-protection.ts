import { failing, isTrue } from "../stack-view";
import type { Rule } from "../types";

export const DST5: Rule = {
  id: "DST5",
  severity: "error",
  category: "destroyability",
  info: "RDS clusters and instances have deletion protection off",
  explanation:
    "Deletion protection makes destroy fail on the database (the opposite of Security Hub RDS.7/RDS.8, deliberately: environments here are disposable). Leave `deletion_protection` false.",
  check: (stack) =>
    failing(
      stack,
      ["aws_rds_cluster", "aws_db_instance"],
      (a) => !isTrue(a.deletion_protection),
      () => `deletion_protection is true`,
    ),
};
