import { referencedAddresses, violation } from "../stack-view";
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
    // A policy covers a repository it refers to (refersTo) or names literally: both collected
    // once, rather than every policy tested against every repository.
    const referenced = new Set(
      policies.flatMap((p) => referencedAddresses(p.attrs.repository, "aws_ecr_repository")),
    );
    const named = new Set(policies.map((p) => p.attrs.repository));
    return stack
      .resourcesOf("aws_ecr_repository")
      .filter((repo) => !referenced.has(repo.address) && !named.has(repo.attrs.name))
      .map((repo) => violation(repo, "no aws_ecr_lifecycle_policy refers to this repository"));
  },
};
