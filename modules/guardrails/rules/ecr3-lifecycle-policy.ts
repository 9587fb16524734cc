import { refersTo, violation } from "../stack-view";
import type { Rule } from "../types";

export const ECR3: Rule = {
  id: "ECR3",
  severity: "error",
  control: "ECR.3",
  category: "operations",
  info: "ECR repositories have a lifecycle policy",
  explanation:
    "Without a lifecycle policy every pushed image is kept (and billed) forever. Add an `aws_ecr_lifecycle_policy` for the repository that expires untagged images and keeps the last N tagged ones.",
  check: (stack) => {
    const policies = stack.resourcesOf("aws_ecr_lifecycle_policy");
    return stack
      .resourcesOf("aws_ecr_repository")
      .filter(
        (repo) =>
          !policies.some((p) => refersTo(p.attrs.repository, repo) || p.attrs.repository === repo.attrs.name),
      )
      .map((repo) => violation(repo, "no aws_ecr_lifecycle_policy refers to this repository"));
  },
};
