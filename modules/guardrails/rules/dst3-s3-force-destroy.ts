import { failing, isTrue } from "../stack-view";
import type { Rule } from "../types";

export const DST3: Rule = {
  id: "DST3",
  severity: "error",
  category: "destroyability",
  info: "S3 buckets set force_destroy",
  explanation:
    "S3 refuses to delete a non-empty bucket (access logs fill it within minutes). Set `force_destroy = true` so destroy empties it first.",
  check: (stack) =>
    failing(
      stack,
      ["aws_s3_bucket"],
      (a) => isTrue(a.force_destroy),
      (r) => `force_destroy is ${r.attrs.force_destroy ?? "unset (false)"}`,
    ),
};
