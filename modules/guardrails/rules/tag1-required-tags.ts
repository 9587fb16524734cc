import type { Rule, Violation } from "../types";
import { violation } from "../stack-view";

export const TAG1: Rule = {
  id: "TAG1",
  severity: "error",
  category: "operations",
  info: "Every taggable resource carries the required tags (through the provider's default_tags)",
  explanation:
    "Cost allocation and ownership (Environment, Team, CostCenter, Project) are read from tags; an untagged resource is an orphan on the bill. Every AWS provider block of the stack sets them in `default_tags`, and no resource overrides one with an empty value.",
  check: (stack) => {
    const required = stack.settings.requiredTags;
    const out: Violation[] = [];
    const providerViolation = (detail: string): Violation => ({
      address: "provider.aws",
      path: stack.id,
      detail,
    });
    if (stack.awsProviders.length === 0 && stack.resources.some((r) => r.type.startsWith("aws_")))
      out.push(providerViolation("the stack has AWS resources but no aws provider block"));
    for (const [i, p] of stack.awsProviders.entries()) {
      const tags: Record<string, unknown> =
        (Array.isArray(p.default_tags) ? p.default_tags[0] : p.default_tags)?.tags ?? {};
      const missing = required.filter((t) => typeof tags[t] !== "string" || (tags[t] as string).length === 0);
      if (missing.length > 0)
        out.push(providerViolation(`provider ${p.alias ?? `#${i}`} default_tags lack ${missing.join(", ")}`));
    }
    for (const r of stack.resources) {
      const tags = r.attrs.tags as Record<string, unknown> | undefined;
      const blanked = required.filter((t) => tags?.[t] === "");
      if (blanked.length > 0)
        out.push(violation(r, `tags override ${blanked.join(", ")} with an empty value`));
    }
    return out;
  },
};
