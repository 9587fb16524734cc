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
/**
 * Public IPv4 addresses a CIDR admits (0 for private ranges and unparsable values). Checked per
 * port across every rule of a group, so forty /8s cannot add up to the internet either.
 */
export const IPV4_MAX_OPEN_ADDRESSES = 2 ** (32 - IPV4_WIDEST_ALLOWED);
const PRIVATE_IPV4 = [/^10\./, /^172\.(1[6-9]|2\d|3[01])\./, /^192\.168\./];
export function publicIpv4Addresses(cidr: string): number {
  const [address, prefixText] = cidr.split("/");
  const prefix = Number(prefixText);
  if (address.includes(":") || !/^\d+\.\d+\.\d+\.\d+$/.test(address)) return 0;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) return 0;
  if (prefix >= 8 && PRIVATE_IPV4.some((r) => r.test(address))) return 0;
  return 2 ** (32 - prefix);
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
    const isLbGroup = (rule: Ingress) =>
      rule.group !== undefined && lbs.some((lb) => refersTo(lb.attrs.security_groups, rule.group!));
    const allowed = (rule: Ingress) => {
      const port = Number(rule.from);
      return (
        isLbGroup(rule) &&
        Number(rule.to) === port &&
        PUBLIC_PORTS.includes(port) &&
        ["tcp", "6"].includes(String(rule.protocol))
      );
    };
    const where = (rule: Ingress) =>
      `on ${rule.protocol} ${rule.from}-${rule.to}${isLbGroup(rule) ? "" : " (not a load balancer's security group)"}`;
    // Narrow sources of one group and port range, summed: many /8s are the internet too.
    const totals = new Map<string, { rule: Ingress; sources: string[]; addresses: number }>();
    for (const rule of ingressRules(stack)) {
      if (allowed(rule)) continue;
      const open = rule.sources.filter(isInternetWide);
      if (open.length > 0) {
        out.push(violation(rule.block, `ingress from ${open.join(", ")} ${where(rule)}`));
        continue;
      }
      const key = [rule.group?.address ?? rule.block.address, rule.protocol, rule.from, rule.to].join("|");
      const total = totals.get(key) ?? { rule, sources: [], addresses: 0 };
      total.sources.push(...rule.sources);
      total.addresses += rule.sources.reduce((sum, c) => sum + publicIpv4Addresses(c), 0);
      totals.set(key, total);
    }
    for (const { rule, sources, addresses } of totals.values())
      if (addresses > IPV4_MAX_OPEN_ADDRESSES)
        out.push(
          violation(
            rule.block,
            `ingress from ${sources.length} CIDRs admitting ${addresses} public IPv4 addresses together (more than a /8, ${IPV4_MAX_OPEN_ADDRESSES}) ${where(rule)}`,
          ),
        );
    return out;
  },
};
