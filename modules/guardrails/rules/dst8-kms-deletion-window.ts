import { failing } from "../stack-view";
import type { Rule } from "../types";

export const DST8: Rule = {
  id: "DST8",
  severity: "error",
  category: "destroyability",
  profile: "ephemeral",
  info: "KMS keys have the shortest deletion window (7 days)",
  explanation:
    "A destroyed key is billed and blocks nothing, but keeps its key material for the whole window; 7 days (the AWS minimum) ends it soonest. Set `deletion_window_in_days = 7`. Persistent environments (`lifecycle: persistent`) check the protective mirror PRS8 instead.",
  check: (stack) =>
    failing(
      stack,
      ["aws_kms_key"],
      (a) => Number(a.deletion_window_in_days) === 7,
      (r) => `deletion_window_in_days is ${r.attrs.deletion_window_in_days ?? "unset (30)"}`,
    ),
};

export const PRS8: Rule = {
  id: "PRS8",
  severity: "error",
  category: "destroyability",
  profile: ["persistent", "retiring"],
  info: "KMS keys have the longest deletion window (30 days)",
  explanation:
    "Everything a key encrypts (database, secrets, logs) becomes unreadable when the key is deleted; a persistent environment keeps the longest window to cancel a mistaken deletion. Set `deletion_window_in_days = 30` (or leave it unset).",
  check: (stack) =>
    failing(
      stack,
      ["aws_kms_key"],
      (a) => a.deletion_window_in_days === undefined || Number(a.deletion_window_in_days) === 30,
      (r) => `deletion_window_in_days is ${r.attrs.deletion_window_in_days}`,
    ),
};
