import { identityStatements } from "../stack-view";
import type { Rule } from "../types";

/** `*` or `service:*`: every action (of a service). Partial wildcards (`ecr:BatchGet*`) are allowed. */
const FULL_WILDCARD = /^(\*|[a-z0-9-]+:\*)$/i;

export const IAM1: Rule = {
  id: "IAM1",
  severity: "error",
  control: "IAM.1, IAM.21",
  category: "security",
  info: "Identity policies grant no `*` or `service:*` actions",
  explanation:
    "A wildcard action grants every current and future action of a service, including destructive and privilege-escalating ones. List the actions the task or role needs (`NotAction` with Allow is as broad and is rejected too).",
  check: (stack) =>
    identityStatements(stack)
      .filter((s) => s.effect === "Allow")
      .flatMap((s) => {
        const wild = s.actions.filter((a) => FULL_WILDCARD.test(a));
        const details = [
          ...(wild.length > 0 ? [`allows ${wild.join(", ")}`] : []),
          ...(s.notActions.length > 0
            ? [`allows everything but ${s.notActions.join(", ")} (NotAction)`]
            : []),
        ];
        return details.map((d) => ({
          address: s.source.address,
          path: s.source.path,
          detail: `statement ${s.sid ?? "(no sid)"} ${d}`,
        }));
      }),
};
