import { refersTo, violation } from "../stack-view";
import type { Rule } from "../types";

export const VPC2: Rule = {
  id: "VPC2",
  severity: "error",
  control: "EC2.6",
  category: "operations",
  info: "Every VPC has flow logs",
  explanation:
    "Flow logs are the network audit trail (rejected connections, exfiltration). Add an `aws_flow_log` for the VPC. A blueprint that turns them off (network.flowLogs.enabled: false) must say why in network.flowLogs.disabledReason, which becomes this rule's suppression.",
  check: (stack) => {
    const logs = stack.resourcesOf("aws_flow_log");
    return stack
      .resourcesOf("aws_vpc")
      .filter((vpc) => !logs.some((l) => refersTo(l.attrs.vpc_id, vpc)))
      .map((vpc) => violation(vpc, "no aws_flow_log refers to this VPC"));
  },
};
