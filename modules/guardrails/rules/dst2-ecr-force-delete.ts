import { failing, isTrue } from "../stack-view";
import type { Rule } from "../types";

export const DST2: Rule = {
  id: "DST2",
  severity: "error",
  category: "destroyability",
  profile: "ephemeral",
  info: "ECR repositories set force_delete",
  explanation:
    "ECR refuses to delete a repository that still holds images, so every destroy after a push fails. Set `force_delete = true`; images are rebuilt from source, not kept in a test environment. Persistent environments (`lifecycle: persistent`) check the protective mirror PRS2 instead.",
  check: (stack) =>
    failing(
      stack,
      ["aws_ecr_repository"],
      (a) => isTrue(a.force_delete),
      (r) => `force_delete is ${r.attrs.force_delete ?? "unset (false)"}`,
    ),
};

export const PRS2: Rule = {
  id: "PRS2",
  severity: "error",
  category: "destroyability",
  profile: ["persistent", "retiring"],
  info: "ECR repositories keep their images (force_delete off)",
  explanation:
    "A persistent environment's images are what a rollback deploys; `force_delete = true` would delete them with the repository. Leave `force_delete` false: ECR then refuses to delete a repository that holds images.",
  check: (stack) =>
    failing(
      stack,
      ["aws_ecr_repository"],
      (a) => !isTrue(a.force_delete),
      () => "force_delete is true",
    ),
};
