import { failing, isTrue } from "../stack-view";
import type { Rule } from "../types";

export const DST4: Rule = {
  id: "DST4",
  severity: "error",
  category: "destroyability",
  profile: ["ephemeral", "retiring"],
  info: "Load balancers have deletion protection off",
  explanation:
    "Deletion protection makes `terraform destroy` fail on the ALB (the opposite of Security Hub ELB.6, deliberately: environments here are disposable). Leave `enable_deletion_protection` false. Persistent environments (`lifecycle: persistent`) check the protective mirror PRS4 instead.",
  check: (stack) =>
    failing(
      stack,
      ["aws_lb", "aws_alb"],
      (a) => !isTrue(a.enable_deletion_protection),
      () => `enable_deletion_protection is true`,
    ),
};

export const PRS4: Rule = {
  id: "PRS4",
  severity: "error",
  category: "destroyability",
  profile: "persistent",
  control: "ELB.6",
  info: "Load balancers have deletion protection on",
  explanation:
    "The load balancer's DNS name is what clients and the domain's alias record point at; a persistent environment keeps it. Set `enable_deletion_protection = true` (updated in place).",
  check: (stack) =>
    failing(
      stack,
      ["aws_lb", "aws_alb"],
      (a) => isTrue(a.enable_deletion_protection),
      (r) => `enable_deletion_protection is ${r.attrs.enable_deletion_protection ?? "unset (false)"}`,
    ),
};
