import { failing, isTrue } from "../stack-view";
import type { Rule } from "../types";

export const RDS2: Rule = {
  id: "RDS2",
  severity: "error",
  control: "RDS.2",
  category: "security",
  info: "RDS instances are not publicly accessible",
  explanation:
    "A publicly accessible database gets a public DNS name and IP; one security group mistake exposes it. Keep `publicly_accessible = false` and place it in the database subnets.",
  check: (stack) =>
    failing(
      stack,
      ["aws_db_instance", "aws_rds_cluster_instance"],
      (a) => !isTrue(a.publicly_accessible),
      () => "publicly_accessible is true",
    ),
};
