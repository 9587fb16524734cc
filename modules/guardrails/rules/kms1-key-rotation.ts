import { failing, isTrue } from "../stack-view";
import type { Rule } from "../types";

export const KMS1: Rule = {
  id: "KMS1",
  severity: "error",
  control: "KMS.4",
  category: "security",
  info: "Symmetric KMS keys rotate their key material",
  explanation:
    "Rotation limits how much data one key version protects. Set `enable_key_rotation = true` (asymmetric and HMAC keys cannot rotate and are not checked).",
  check: (stack) =>
    failing(
      stack,
      ["aws_kms_key"],
      (a) =>
        (a.customer_master_key_spec ?? "SYMMETRIC_DEFAULT") !== "SYMMETRIC_DEFAULT" ||
        isTrue(a.enable_key_rotation),
      () => "enable_key_rotation is not true",
    ),
};
