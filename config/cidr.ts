/** Small IPv4 CIDR arithmetic for subnet planning and validation (no dependency needed). */
export interface Cidr {
  readonly base: number; // network address as unsigned 32-bit
  readonly prefix: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const addr = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  if ((addr & mask) >>> 0 !== addr) return undefined; // host bits set: not a network address
  return { base: addr, prefix };
}

export function formatCidr(c: Cidr): string {
  const b = c.base;
  return `${b >>> 24}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/${c.prefix}`;
}

const size = (c: Cidr) => 2 ** (32 - c.prefix);

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return (
    inner.prefix >= outer.prefix &&
    inner.base >= outer.base &&
    inner.base + size(inner) <= outer.base + size(outer)
  );
}

/** The `index`-th subnet of `newPrefix` inside `parent` (like Terraform's cidrsubnet). */
export function subnetOf(parent: Cidr, newPrefix: number, index: number): Cidr {
  const base = parent.base + index * 2 ** (32 - newPrefix);
  return { base: base >>> 0, prefix: newPrefix };
}

export interface SubnetPlan {
  readonly public: string[];
  readonly private: string[];
  readonly database: string[];
}

/**
 * Default split of a VPC CIDR into three tiers of three subnets, each /prefix+4: private at
 * indexes 0-2, public 4-6, database 8-10 (gaps left for growth). A /16 gives /20 subnets
 * (4091 usable addresses each): room for hundreds of awsvpc tasks per AZ.
 */
export function planSubnets(vpcCidr: string): SubnetPlan {
  const vpc = parseCidr(vpcCidr);
  if (!vpc) throw new Error(`network.cidr: ${vpcCidr} is not an IPv4 CIDR block`);
  const p = vpc.prefix + 4;
  const tier = (start: number) => [0, 1, 2].map((i) => formatCidr(subnetOf(vpc, p, start + i)));
  return { private: tier(0), public: tier(4), database: tier(8) };
}
