import { failing, isTrue } from "../stack-view";
import type { Rule } from "../types";

export const DST3: Rule = {
  id: "DST3",
  severity: "error",
  category: "destroyability",
  profile: ["ephemeral", "retiring"],
  info: "S3 buckets set force_destroy",
  explanation:
    "S3 refuses to delete a non-empty bucket (access logs fill it within minutes). Set `force_destroy = true` so destroy empties it first. Persistent environments (`lifecycle: persistent`) check the protective mirror PRS3 instead.",
  check: (stack) =>
    failing(
      stack,
      ["aws_s3_bucket"],
      (a) => isTrue(a.force_destroy),
      (r) => `force_destroy is ${r.attrs.force_destroy ?? "unset (false)"}`,
    ),
};

export const PRS3: Rule = {
  id: "PRS3",
  severity: "error",
  category: "destroyability",
  profile: "persistent",
  info: "S3 buckets keep their objects on destroy (force_destroy off)",
  explanation:
    "A persistent environment's access logs are an audit record; `force_destroy = true` would empty the bucket on destroy. Leave it false; the lifecycle rule still expires old logs.",
  check: (stack) =>
    failing(
      stack,
      ["aws_s3_bucket"],
      (a) => !isTrue(a.force_destroy),
      () => "force_destroy is true",
    ),
};
