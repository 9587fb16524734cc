import { failing, isTrue } from "../stack-view";
import type { Rule } from "../types";

export const DST6: Rule = {
  id: "DST6",
  severity: "error",
  category: "destroyability",
  profile: "ephemeral",
  info: "RDS clusters and instances skip the final snapshot",
  explanation:
    "Without `skip_final_snapshot = true` destroy needs a `final_snapshot_identifier` and leaves a billed snapshot per run (and fails on the second run with the same identifier). Persistent environments (`lifecycle: persistent`) check the protective mirror PRS6 instead.",
  check: (stack) =>
    failing(
      stack,
      ["aws_rds_cluster", "aws_db_instance"],
      (a) => isTrue(a.skip_final_snapshot),
      (r) => `skip_final_snapshot is ${r.attrs.skip_final_snapshot ?? "unset (false)"}`,
    ),
};

export const PRS6: Rule = {
  id: "PRS6",
  severity: "error",
  category: "destroyability",
  profile: ["persistent", "retiring"],
  info: "RDS clusters and instances take a final snapshot on delete",
  explanation:
    "If a persistent (or retiring) database is ever deleted, its data must survive as a snapshot: `skip_final_snapshot = false` with a `final_snapshot_identifier` (RDS requires one when the snapshot is not skipped), and `delete_automated_backups = false` (the provider's default deletes the automated backups with the cluster).",
  check: (stack) =>
    failing(
      stack,
      ["aws_rds_cluster", "aws_db_instance"],
      (a) =>
        !isTrue(a.skip_final_snapshot) &&
        typeof a.final_snapshot_identifier === "string" &&
        // aws_db_instance has the same argument; both default to true.
        a.delete_automated_backups === false,
      (r) =>
        isTrue(r.attrs.skip_final_snapshot)
          ? "skip_final_snapshot is true"
          : typeof r.attrs.final_snapshot_identifier !== "string"
            ? "final_snapshot_identifier is unset"
            : `delete_automated_backups is ${r.attrs.delete_automated_backups ?? "unset (true)"}`,
    ),
};
