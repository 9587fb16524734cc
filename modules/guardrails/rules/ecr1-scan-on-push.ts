import { failing, isTrue, nested } from "../stack-view";
import type { Rule } from "../types";

/** Registry scanning frequencies that scan without anyone asking (ECR API: ScanFrequency). */
const AUTOMATIC_SCANS: unknown[] = ["SCAN_ON_PUSH", "CONTINUOUS_SCAN"];

export const ECR1: Rule = {
  id: "ECR1",
  severity: "error",
  control: "ECR.1",
  category: "security",
  info: "ECR repositories scan images on push",
  explanation:
    "Unscanned images ship known CVEs unnoticed. Set `image_scanning_configuration { scan_on_push = true }`, or manage registry-wide scanning with `aws_ecr_registry_scanning_configuration` (which overrides the repository setting).",
  check: (stack) => {
    // Registry-level scanning replaces the per-repository flag (the repository setting is then ignored by ECR).
    const registryScans = stack
      .resourcesOf("aws_ecr_registry_scanning_configuration")
      // Only rules that scan by themselves count: a MANUAL rule scans nothing on push.
      .some((c) => nested(c.attrs.rule).some((r) => AUTOMATIC_SCANS.includes(r.scan_frequency)));
    if (registryScans) return [];
    return failing(
      stack,
      ["aws_ecr_repository"],
      (a) => nested(a.image_scanning_configuration).some((s) => isTrue(s.scan_on_push)),
      () => "image_scanning_configuration.scan_on_push is not true",
    );
  },
};
