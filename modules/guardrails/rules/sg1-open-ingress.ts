import { referencedAddresses, nested, refersTo, violation } from "../stack-view";
import type { Json, Rule, TfBlock, Violation } from "../types";

/**
 * A source counts as the internet when it is wider than a /8 (IPv4; 16.7 million addresses, a
 * whole registry allocation) or a /16 (IPv6) and not a private range: `0.0.0.0/1` plus
 * `128.0.0.0/1` open a port to the world as surely as `0.0.0.0/0`.
 */
const IPV4_WIDEST_ALLOWED = 8;
const IPV6_WIDEST_ALLOWED = 16;
export function isInternetWide(cidr: string): boolean {
  const [address, prefixText] = cidr.split("/");
  const prefix = Number(prefixText);
  if (prefixText === undefined || !Number.isInteger(prefix)) return false;
  if (address.includes(":")) return prefix < IPV6_WIDEST_ALLOWED;
  return prefix < IPV4_WIDEST_ALLOWED;
}
/** The only ports a load balancer may open to the whole internet. */
const PUBLIC_PORTS = [80, 443];

interface Ingress {
  readonly block: TfBlock;
  /** The security group the rule belongs to, when it is in this stack. */
  readonly group?: TfBlock;
  readonly from: unknown;
  readonly to: unknown;
  readonly protocol: unknown;
  readonly sources: string[];
}

const strings = (...values: unknown[]) =>
  values.flatMap((v) => (Array.isArray(v) ? v : v === undefined ? [] : [v])).map(String);

function ingressRules(stack: Parameters<Rule["check"]>[0]): Ingress[] {
  const groups = stack.resourcesOf("aws_security_group");
  // The first group (in stack order) the rule's security_group_id refers to (as refersTo
  // decides), from the addresses the value names rather than a pattern test per group.
  const groupOf = (r: TfBlock) => {
    const named = new Set(referencedAddresses(r.attrs.security_group_id, "aws_security_group"));
    return groups.find((g) => named.has(g.address));
  };
  return [
    ...groups.flatMap((g) =>
      nested(g.attrs.ingress).map((i: Json) => ({
        block: g,
        group: g,
        from: i.from_port,
        to: i.to_port,
        protocol: i.protocol,
        sources: strings(i.cidr_blocks, i.ipv6_cidr_blocks),
      })),
    ),
    ...stack
      .resourcesOf("aws_security_group_rule")
      .filter((r) => r.attrs.type === "ingress")
      .map((r) => ({
        block: r,
        group: groupOf(r),
        from: r.attrs.from_port,
        to: r.attrs.to_port,
        protocol: r.attrs.protocol,
        sources: strings(r.attrs.cidr_blocks, r.attrs.ipv6_cidr_blocks),
      })),
    ...stack.resourcesOf("aws_vpc_security_group_ingress_rule").map((r) => ({
      block: r,
      group: groupOf(r),
      from: r.attrs.from_port,
      to: r.attrs.to_port,
      protocol: r.attrs.ip_protocol,
      sources: strings(r.attrs.cidr_ipv4, r.attrs.cidr_ipv6),
    })),
  ];
}

export const SG1: Rule = {
  id: "SG1",
  severity: "error",
  control: "EC2.18",
  category: "security",
  info: "No security group admits the internet (any range wider than /8, or /16 for IPv6), except a load balancer's on TCP 80/443",
  explanation:
    "Ingress from 0.0.0.0/0, ::/0 or any range wider than a /8 (IPv4) or /16 (IPv6) exposes whatever listens on the port to scanners and attacks. Only the ALB's security group may be open, and only on 80 and 443; tasks and databases admit security groups, the test listener only the NAT gateways' addresses and named operator CIDRs.",
  check: (stack) => {
    const lbs = stack.resourcesOf("aws_lb", "aws_alb");
    const out: Violation[] = [];
    for (const rule of ingressRules(stack)) {
      const open = rule.sources.filter(isInternetWide);
      if (open.length === 0) continue;
      const isLbGroup =
        rule.group !== undefined && lbs.some((lb) => refersTo(lb.attrs.security_groups, rule.group!));
      const port = Number(rule.from);
      const allowed =
        isLbGroup &&
        Number(rule.to) === port &&
        PUBLIC_PORTS.includes(port) &&
        ["tcp", "6"].includes(String(rule.protocol));
      if (!allowed)
        out.push(
          violation(
            rule.block,
            `ingress from ${open.join(", ")} on ${rule.protocol} ${rule.from}-${rule.to}${isLbGroup ? "" : " (not a load balancer's security group)"}`,
          ),
        );
    }
    return out;
  },
};
