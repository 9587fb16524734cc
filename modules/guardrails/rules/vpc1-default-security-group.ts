import { nested, refersTo, violation } from "../stack-view";
import type { Rule, Violation } from "../types";

export const VPC1: Rule = {
  id: "VPC1",
  severity: "error",
  control: "EC2.2",
  category: "security",
  info: "Each VPC's default security group allows no traffic",
  explanation:
    "Resources launched without an explicit security group land in the default one, which by default admits all traffic from itself and all egress. Adopt it with an `aws_default_security_group` for the VPC with no ingress and no egress blocks (Terraform then removes all its rules).",
  check: (stack) => {
    const defaults = stack.resourcesOf("aws_default_security_group");
    const out: Violation[] = [];
    for (const vpc of stack.resourcesOf("aws_vpc")) {
      const own = defaults.filter((d) => refersTo(d.attrs.vpc_id, vpc));
      if (own.length === 0)
        out.push(violation(vpc, "no aws_default_security_group closes this VPC's default group"));
    }
    for (const d of defaults) {
      if (nested(d.attrs.ingress).length > 0 || nested(d.attrs.egress).length > 0)
        out.push(violation(d, "the default security group has ingress or egress rules"));
    }
    return out;
  },
};
