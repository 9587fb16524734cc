import { isTrue, violation } from "../stack-view";
import type { Rule } from "../types";

export const DST1: Rule = {
  id: "DST1",
  severity: "error",
  category: "destroyability",
  info: "No resource sets lifecycle.prevent_destroy",
  explanation:
    "Test environments are destroyed after every run; `prevent_destroy` makes `cdktf destroy` fail and leaves the environment half-deleted and billing. Protect production with IAM and backups, not with this flag.",
  check: (stack) =>
    stack.resources
      .filter((r) => isTrue(r.attrs.lifecycle?.prevent_destroy))
      .map((r) => violation(r, "lifecycle.prevent_destroy is true")),
};
