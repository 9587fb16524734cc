import { isExpression, violation } from "../stack-view";
import type { Rule, TfBlock, Violation } from "../types";
import { NAME_ATTRIBUTES } from "./name1-resource-names";

/**
 * Two resources of one type with one name in a stack: IAM, ECR, log groups and queues fail at
 * apply ("already exists"), alarms and dashboards silently overwrite each other (PutMetricAlarm,
 * PutDashboard), two containers of a task cannot share a name.
 */
export const NAME2: Rule = {
  id: "NAME2",
  severity: "error",
  category: "naming",
  info: "No two resources of one type share a name",
  explanation:
    "A second resource with the same name either fails at apply or silently replaces the first (alarms, dashboards). It comes from a service named like a platform resource or like another service plus a qualifier (`jobs` and `jobs-dlq`); rename the service.",
  check: (stack) => {
    const out: Violation[] = [];
    for (const [type, attributes] of Object.entries(NAME_ATTRIBUTES)) {
      for (const attribute of Object.keys(attributes).filter((a) => !a.endsWith("_prefix"))) {
        const owners = new Map<string, TfBlock>();
        for (const block of stack.resourcesOf(type)) {
          const name = block.attrs[attribute];
          if (typeof name !== "string" || isExpression(name)) continue;
          const first = owners.get(name);
          if (first)
            out.push(
              violation(
                block,
                `${attribute} ${JSON.stringify(name)} is also the ${attribute} of ${first.address}`,
              ),
            );
          else owners.set(name, block);
        }
      }
    }
    return out;
  },
};
