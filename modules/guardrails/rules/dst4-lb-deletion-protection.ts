import { failing, isTrue } from "../stack-view";
import type { Rule } from "../types";

export const DST4: Rule = {
  id: "DST4",
  severity: "error",
  category: "destroyability",
  info: "Load balancers have deletion protection off",
  explanation:
    "Deletion protection makes `terraform destroy` fail on the ALB (the opposite of Security Hub ELB.6, deliberately: environments here are disposable). Leave `enable_deletion_protection` false.",
  check: (stack) =>
    failing(
      stack,
      ["aws_lb", "aws_alb"],
      (a) => !isTrue(a.enable_deletion_protection),
      () => `enable_deletion_protection is true`,
    ),
};
