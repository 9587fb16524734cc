import { failing, isTrue } from "../stack-view";
import type { Rule } from "../types";

export const DST6: Rule = {
  id: "DST6",
  severity: "error",
  category: "destroyability",
  info: "RDS clusters and instances skip the final snapshot",
  explanation:
    "Without `skip_final_snapshot = true` destroy needs a `final_snapshot_identifier` and leaves a billed snapshot per run (and fails on the second run with the same identifier).",
  check: (stack) =>
    failing(
      stack,
      ["aws_rds_cluster", "aws_db_instance"],
      (a) => isTrue(a.skip_final_snapshot),
      (r) => `skip_final_snapshot is ${r.attrs.skip_final_snapshot ?? "unset (false)"}`,
    ),
};
