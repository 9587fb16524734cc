import { failing, isTrue } from "../stack-view";
import type { Rule } from "../types";

export const DST2: Rule = {
  id: "DST2",
  severity: "error",
  category: "destroyability",
  info: "ECR repositories set force_delete",
  explanation:
    "ECR refuses to delete a repository that still holds images, so every destroy after a push fails. Set `force_delete = true`; images are rebuilt from source, not kept in a test environment.",
  check: (stack) =>
    failing(
      stack,
      ["aws_ecr_repository"],
      (a) => isTrue(a.force_delete),
      (r) => `force_delete is ${r.attrs.force_delete ?? "unset (false)"}`,
    ),
};
