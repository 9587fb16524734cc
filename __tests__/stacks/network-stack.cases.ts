import "cdktf/lib/testing/adapters/jest";
import { blueprintWith, configFor, configFrom, Json, resources, synthApp } from "../support/synth";

/** Every `Name` tag of every resource in a synthesized stack. */
function nameTags(stack: Json): string[] {
  return Object.values(stack.resource as Record<string, Record<string, Json>>)
    .flatMap((byId) => Object.values(byId))
    .map((r) => r.tags?.Name)
    .filter((n): n is string => typeof n === "string");
}

describe("network stack (trading)", () => {
  const { stacks, app } = synthApp(configFor("trading"));
  const network = stacks.network;
  const subnetRefs = (tier: string) =>
    Object.keys(resources(network, "aws_subnet"))
      .filter((id) => id.includes(`_${tier}-subnet-`))
      .sort()
      .map((id) => `\${aws_subnet.${id}.id}`);

  test("outputs the VPC id", () => {
    const vpcId = Object.keys(resources(network, "aws_vpc"))[0];
    expect(network.output.vpc_id).toEqual({ value: `\${aws_vpc.${vpcId}.id}`, description: "VPC id" });
  });

  test("outputs the public and private subnet ids, three each, with descriptions", () => {
    expect(network.output.public_subnet_ids.value).toEqual(subnetRefs("public"));
    expect(network.output.private_subnet_ids.value).toEqual(subnetRefs("private"));
    expect(subnetRefs("public")).toHaveLength(3);
    expect(network.output.public_subnet_ids.description).toMatch(/public/i);
    expect(network.output.private_subnet_ids.description).toMatch(/private/i);
  });

  test("has no database subnets output without a database", () => {
    expect(network.output.database_subnet_ids).toBeUndefined();
  });

  test("exposes the VPC construct for cross-stack wiring", () => {
    expect(app.network.vpc.privateSubnetIds).toHaveLength(3);
    expect(app.network.vpc.vpcCidr).toBe("10.0.0.0/16");
  });

  test("gives every named resource a name ending in the environment suffix", () => {
    const names = nameTags(network);
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(name).toMatch(/-test$/);
    expect(resources(network, "aws_cloudwatch_log_group")).not.toEqual({});
    for (const group of Object.values(resources(network, "aws_cloudwatch_log_group")))
      expect(group.name).toMatch(/-test$/);
  });

  test("encrypts the flow-log group with the network stack's own key, whose policy admits CloudWatch Logs", () => {
    const [keyId] = Object.keys(resources(network, "aws_kms_key"));
    const group = Object.values(resources(network, "aws_cloudwatch_log_group"))[0];
    expect(group.kms_key_id).toBe(`\${aws_kms_key.${keyId}.arn}`);
    const policies = Object.values(network.data.aws_iam_policy_document) as Json[];
    const logsStatement = policies
      .flatMap((p) => p.statement as Json[])
      .find((st) => st.principals?.[0]?.identifiers?.[0]?.startsWith("logs.us-east-1."));
    expect(logsStatement).toBeDefined();
  });

  test("a blueprint without flow logs has no flow-log key", () => {
    expect(resources(synthApp(configFor("fraud")).stacks.network, "aws_kms_key")).toEqual({});
  });

  test("builds one NAT gateway per AZ as the trading blueprint asks", () => {
    expect(Object.keys(resources(network, "aws_nat_gateway"))).toHaveLength(3);
  });
});

describe("network stack of a blueprint with a database", () => {
  const { stacks } = synthApp(configFrom(blueprintWith("trading", (bp) => (bp.database = {}))));

  test("outputs the three database subnet ids", () => {
    const ids = Object.keys(resources(stacks.network, "aws_subnet"))
      .filter((id) => id.includes("_database-subnet-"))
      .sort()
      .map((id) => `\${aws_subnet.${id}.id}`);
    expect(ids).toHaveLength(3);
    expect(stacks.network.output.database_subnet_ids.value).toEqual(ids);
  });
});
