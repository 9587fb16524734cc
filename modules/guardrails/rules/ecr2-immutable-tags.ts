import { failing } from "../stack-view";
import type { Rule } from "../types";

export const ECR2: Rule = {
  id: "ECR2",
  severity: "error",
  control: "ECR.2",
  category: "security",
  info: "ECR repositories have immutable tags",
  explanation:
    "With mutable tags a pushed image can silently replace what a task definition deployed, so rollbacks and audits lie. Set `image_tag_mutability = IMMUTABLE` and release by a new tag per build.",
  check: (stack) =>
    failing(
      stack,
      ["aws_ecr_repository"],
      (a) => a.image_tag_mutability === "IMMUTABLE" || a.image_tag_mutability === "IMMUTABLE_WITH_EXCLUSION",
      (r) => `image_tag_mutability is ${r.attrs.image_tag_mutability ?? "MUTABLE (the default)"}`,
    ),
};
