import "cdktf/lib/testing/adapters/jest";
import { TerraformOutput, Testing } from "cdktf";
import type { PlatformConfig } from "../../config";
import { planSubnets } from "../../config/cidr";
import { Naming } from "../../modules/naming";
import { INTERFACE_ENDPOINT_SERVICES, Vpc } from "../../modules/vpc";
import { blueprintWith, configFrom, dataSources, Json, onlyResource, resources } from "../support/synth";

const PUBLIC_FIELDS = [
  "vpcId",
  "publicSubnetIds",
  "privateSubnetIds",
  "databaseSubnetIds",
  "privateRouteTableIds",
  "endpointSecurityGroupId",
  "flowLogGroupName",
] as const;

interface Synthesized {
  readonly vpc: Vpc;
  readonly json: Json;
}

function synthVpc(config: PlatformConfig): Synthesized {
  let vpc: Vpc | undefined;
  const json = JSON.parse(
    Testing.synthScope((scope) => {
      vpc = new Vpc(scope, "vpc", {
        naming: new Naming(config.name, config.environmentSuffix),
        region: config.region,
        network: config.network,
        databaseSubnets: config.database !== undefined,
      });
      const fields = Object.fromEntries(
        PUBLIC_FIELDS.filter((f) => vpc![f] !== undefined).map((f) => [f, vpc![f]]),
      );
      new TerraformOutput(scope, "fields", { value: fields });
    }),
  );
  return { vpc: vpc!, json };
}

const trading = (edit: Parameters<typeof blueprintWith>[1] = () => undefined) =>
  configFrom(blueprintWith("trading", edit));

/** A public field of the construct, resolved to Terraform references through an output. */
const resolved = (json: Json, field: keyof Vpc) => json.output.fields.value[field];

/** `${type.id.attr}` of the resource whose logical id is `id`. */
const ref = (type: string, id: string, attr = "id") => `\${${type}.${id}.${attr}}`;

/** Logical ids of a type's resources whose attributes match `where`. */
function idsWhere(json: Json, type: string, where: (r: Json) => boolean): string[] {
  return Object.entries(resources(json, type))
    .filter(([, r]) => where(r))
    .map(([id]) => id);
}

/** Subnets of a tier, ordered by AZ index (logical ids carry `<tier>-subnet-<i>`). */
function tierSubnets(json: Json, tier: string): [string, Json][] {
  return Object.entries(resources(json, "aws_subnet"))
    .filter(([id]) => id.includes(`_${tier}-subnet-`))
    .sort(([a], [b]) => a.localeCompare(b));
}

/** The route table a subnet is associated with. */
function routeTableOf(json: Json, subnetId: string): string {
  const assoc = Object.values(resources(json, "aws_route_table_association")).filter(
    (a) => a.subnet_id === ref("aws_subnet", subnetId),
  );
  expect(assoc).toHaveLength(1);
  return assoc[0].route_table_id;
}

/** Routes (separate aws_route resources) of a route table reference. */
const routesOf = (json: Json, routeTableRef: string) =>
  Object.values(resources(json, "aws_route")).filter((r) => r.route_table_id === routeTableRef);

describe("Vpc with a NAT gateway per AZ and flow logs (trading defaults)", () => {
  const config = trading();
  const { vpc, json } = synthVpc(config);
  const plan = planSubnets(config.network.cidr);

  test("enables DNS support and hostnames on the configured CIDR", () => {
    expect(onlyResource(json, "aws_vpc")).toMatchObject({
      cidr_block: "10.0.0.0/16",
      enable_dns_support: true,
      enable_dns_hostnames: true,
      tags: { Name: "vpc-trading-test" },
    });
  });

  test("creates exactly three public and three private subnets with the planned CIDRs", () => {
    expect(tierSubnets(json, "public").map(([, s]) => s.cidr_block)).toEqual(plan.public);
    expect(tierSubnets(json, "private").map(([, s]) => s.cidr_block)).toEqual(plan.private);
    expect(Object.keys(resources(json, "aws_subnet"))).toHaveLength(6);
  });

  test("has no database tier when the blueprint has no database", () => {
    expect(tierSubnets(json, "database")).toHaveLength(0);
    expect(vpc.databaseSubnetIds).toEqual([]);
  });

  test("spreads each tier over the first three available AZs, excluding opt-in zones", () => {
    const [azId, azs] = Object.entries(dataSources(json, "aws_availability_zones"))[0];
    expect(azs).toMatchObject({
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });
    for (const tier of ["public", "private"]) {
      expect(tierSubnets(json, tier).map(([, s]) => s.availability_zone)).toEqual(
        [0, 1, 2].map((i) => `\${element(data.aws_availability_zones.${azId}.names, ${i})}`),
      );
    }
  });

  test("fails the plan in a Region with fewer than three AZs instead of wrapping around", () => {
    const [, azs] = Object.entries(dataSources(json, "aws_availability_zones"))[0];
    expect(azs.lifecycle.postcondition).toEqual([
      {
        condition: "${length(self.names) >= 3}",
        error_message: expect.stringMatching(/fewer than 3 available AZs .* pin network\.availabilityZones/),
      },
    ]);
  });

  test("gives no subnet public IPs on launch", () => {
    for (const subnet of Object.values(resources(json, "aws_subnet"))) {
      expect(subnet.map_public_ip_on_launch).toBe(false);
    }
  });

  test("names subnets through the naming module with tier and AZ number", () => {
    expect(tierSubnets(json, "public").map(([, s]) => s.tags.Name)).toEqual([
      "subnet-trading-public-1-test",
      "subnet-trading-public-2-test",
      "subnet-trading-public-3-test",
    ]);
  });

  test("routes the public tier's default route to the internet gateway", () => {
    const igwId = Object.keys(resources(json, "aws_internet_gateway"))[0];
    const tables = new Set(tierSubnets(json, "public").map(([id]) => routeTableOf(json, id)));
    expect(tables.size).toBe(1);
    const [table] = tables;
    expect(routesOf(json, table)).toEqual([
      expect.objectContaining({
        destination_cidr_block: "0.0.0.0/0",
        gateway_id: ref("aws_internet_gateway", igwId),
      }),
    ]);
  });

  test("creates one NAT gateway per AZ, each in that AZ's public subnet with its own VPC EIP", () => {
    const nats = Object.values(resources(json, "aws_nat_gateway"));
    const eips = resources(json, "aws_eip");
    expect(nats).toHaveLength(3);
    expect(Object.values(eips).every((e) => e.domain === "vpc")).toBe(true);
    expect(nats.map((n) => n.subnet_id).sort()).toEqual(
      tierSubnets(json, "public").map(([id]) => ref("aws_subnet", id)),
    );
    expect(new Set(nats.map((n) => n.allocation_id)).size).toBe(3);
    for (const nat of nats)
      expect(Object.keys(eips).map((id) => ref("aws_eip", id, "allocation_id"))).toContain(nat.allocation_id);
  });

  test("routes each private subnet's default route to the NAT gateway of its own AZ", () => {
    const nats = resources(json, "aws_nat_gateway");
    const publicSubnets = tierSubnets(json, "public").map(([id]) => ref("aws_subnet", id));
    const privateTables = tierSubnets(json, "private").map(([id], az) => {
      const table = routeTableOf(json, id);
      const routes = routesOf(json, table);
      expect(routes).toHaveLength(1);
      expect(routes[0].destination_cidr_block).toBe("0.0.0.0/0");
      const natId = routes[0].nat_gateway_id.match(/^\$\{aws_nat_gateway\.([^.]+)\.id\}$/)[1];
      expect(nats[natId].subnet_id).toBe(publicSubnets[az]);
      return table;
    });
    expect(new Set(privateTables).size).toBe(3);
    expect(resolved(json, "privateRouteTableIds")).toEqual(privateTables);
  });

  test("never routes private subnets to the internet gateway", () => {
    for (const [id] of tierSubnets(json, "private")) {
      for (const route of routesOf(json, routeTableOf(json, id))) expect(route.gateway_id).toBeUndefined();
    }
  });

  test("associates the free S3 gateway endpoint with every private route table", () => {
    const s3 = onlyResource(json, "aws_vpc_endpoint");
    expect(s3).toMatchObject({ service_name: "com.amazonaws.us-east-1.s3", vpc_endpoint_type: "Gateway" });
    const privateTables = tierSubnets(json, "private").map(([id]) => routeTableOf(json, id));
    expect([...s3.route_table_ids].sort()).toEqual([...privateTables].sort());
  });

  test("creates no interface endpoints unless asked", () => {
    expect(idsWhere(json, "aws_vpc_endpoint", (e) => e.vpc_endpoint_type === "Interface")).toEqual([]);
    expect(resources(json, "aws_security_group")).toEqual({});
    expect(vpc.endpointSecurityGroupId).toBeUndefined();
  });

  test("manages the default security group with no ingress or egress rules", () => {
    const vpcId = Object.keys(resources(json, "aws_vpc"))[0];
    expect(onlyResource(json, "aws_default_security_group")).toMatchObject({
      vpc_id: ref("aws_vpc", vpcId),
      ingress: [],
      egress: [],
    });
  });

  test("sends all VPC traffic to a flow-log group kept for the configured days", () => {
    const [groupId, group] = Object.entries(resources(json, "aws_cloudwatch_log_group"))[0];
    const roleId = Object.keys(resources(json, "aws_iam_role"))[0];
    const vpcId = Object.keys(resources(json, "aws_vpc"))[0];
    expect(group).toMatchObject({ name: "/vpc/flow-logs/trading-test", retention_in_days: 30 });
    expect(onlyResource(json, "aws_flow_log")).toMatchObject({
      vpc_id: ref("aws_vpc", vpcId),
      traffic_type: "ALL",
      log_destination_type: "cloud-watch-logs",
      log_destination: ref("aws_cloudwatch_log_group", groupId, "arn"),
      iam_role_arn: ref("aws_iam_role", roleId, "arn"),
    });
    expect(resolved(json, "flowLogGroupName")).toBe(ref("aws_cloudwatch_log_group", groupId, "name"));
  });

  test("lets only this account's VPC flow logs assume the flow-log role", () => {
    const role = onlyResource(json, "aws_iam_role");
    const trustId = role.assume_role_policy.match(/aws_iam_policy_document\.([^.]+)\.json/)[1];
    const [statement] = dataSources(json, "aws_iam_policy_document")[trustId].statement;
    const accountId = Object.keys(dataSources(json, "aws_caller_identity"))[0];
    const account = `\${data.aws_caller_identity.${accountId}.account_id}`;
    expect(statement.principals).toEqual([{ type: "Service", identifiers: ["vpc-flow-logs.amazonaws.com"] }]);
    expect(statement.actions).toEqual(["sts:AssumeRole"]);
    expect(statement.condition).toEqual(
      expect.arrayContaining([
        { test: "StringEquals", variable: "aws:SourceAccount", values: [account] },
        expect.objectContaining({ test: "ArnLike", variable: "aws:SourceArn" }),
      ]),
    );
  });

  test("scopes the flow-log role's permissions to its log group and streams", () => {
    const groupId = Object.keys(resources(json, "aws_cloudwatch_log_group"))[0];
    const roleId = Object.keys(resources(json, "aws_iam_role"))[0];
    const policy = onlyResource(json, "aws_iam_role_policy");
    expect(policy.role).toBe(ref("aws_iam_role", roleId));
    const docId = policy.policy.match(/aws_iam_policy_document\.([^.]+)\.json/)[1];
    const statements = dataSources(json, "aws_iam_policy_document")[docId].statement;
    const arn = ref("aws_cloudwatch_log_group", groupId, "arn");
    expect(statements).toHaveLength(1);
    expect(statements[0].resources).toEqual([arn, `${arn}:*`]);
    expect(statements[0].actions).not.toContain("logs:CreateLogGroup");
  });

  test("exposes three subnet ids per tier and the configured CIDR as a plain string", () => {
    expect(resolved(json, "publicSubnetIds")).toEqual(
      tierSubnets(json, "public").map(([id]) => ref("aws_subnet", id)),
    );
    expect(resolved(json, "privateSubnetIds")).toEqual(
      tierSubnets(json, "private").map(([id]) => ref("aws_subnet", id)),
    );
    expect(resolved(json, "vpcId")).toBe(ref("aws_vpc", Object.keys(resources(json, "aws_vpc"))[0]));
    expect(vpc.vpcCidr).toBe("10.0.0.0/16");
  });
});

describe("Vpc with a single NAT gateway", () => {
  const { json } = synthVpc(trading((bp) => (bp.network = { ...bp.network, natGateways: "single" })));

  test("creates one NAT gateway and one EIP, in the first public subnet", () => {
    const [firstPublic] = tierSubnets(json, "public");
    expect(Object.keys(resources(json, "aws_eip"))).toHaveLength(1);
    expect(onlyResource(json, "aws_nat_gateway").subnet_id).toBe(ref("aws_subnet", firstPublic[0]));
  });

  test("routes all three private subnets through one route table to that NAT", () => {
    const natId = Object.keys(resources(json, "aws_nat_gateway"))[0];
    const tables = new Set(tierSubnets(json, "private").map(([id]) => routeTableOf(json, id)));
    expect(tables.size).toBe(1);
    const [table] = tables;
    expect(routesOf(json, table)).toEqual([
      expect.objectContaining({
        destination_cidr_block: "0.0.0.0/0",
        nat_gateway_id: ref("aws_nat_gateway", natId),
      }),
    ]);
    expect(resolved(json, "privateRouteTableIds")).toEqual([table]);
  });
});

describe("Vpc of a blueprint with a database", () => {
  const config = trading((bp) => (bp.database = {}));
  const { json } = synthVpc(config);

  test("creates exactly three isolated database subnets with the planned CIDRs", () => {
    expect(tierSubnets(json, "database").map(([, s]) => s.cidr_block)).toEqual(
      planSubnets(config.network.cidr).database,
    );
    expect(resolved(json, "databaseSubnetIds")).toEqual(
      tierSubnets(json, "database").map(([id]) => ref("aws_subnet", id)),
    );
  });

  test("gives database subnets a route table with no routes at all", () => {
    const tables = new Set(tierSubnets(json, "database").map(([id]) => routeTableOf(json, id)));
    expect(tables.size).toBe(1);
    const [table] = tables;
    const tableId = table.match(/^\$\{aws_route_table\.([^.]+)\.id\}$/)![1];
    expect(routesOf(json, table)).toEqual([]);
    expect(resources(json, "aws_route_table")[tableId].route).toBeUndefined();
    expect(onlyResource(json, "aws_vpc_endpoint").route_table_ids).not.toContain(table);
  });
});

describe("Vpc with interface endpoints", () => {
  const { json } = synthVpc(trading((bp) => (bp.network = { ...bp.network, interfaceEndpoints: true })));
  const interfaces = Object.values(resources(json, "aws_vpc_endpoint")).filter(
    (e) => e.vpc_endpoint_type === "Interface",
  );
  const [sgId] = Object.keys(resources(json, "aws_security_group"));

  test("creates ECR api/dkr, Logs, Secrets Manager and X-Ray endpoints with private DNS", () => {
    expect(interfaces.map((e) => e.service_name).sort()).toEqual(
      INTERFACE_ENDPOINT_SERVICES.map((s) => `com.amazonaws.us-east-1.${s}`).sort(),
    );
    expect(interfaces.every((e) => e.private_dns_enabled === true)).toBe(true);
  });

  test("places every endpoint in the private subnets behind its own security group", () => {
    const privateRefs = tierSubnets(json, "private").map(([id]) => ref("aws_subnet", id));
    for (const endpoint of interfaces) {
      expect(endpoint.subnet_ids).toEqual(privateRefs);
      expect(endpoint.security_group_ids).toEqual([ref("aws_security_group", sgId)]);
    }
    expect(resolved(json, "endpointSecurityGroupId")).toBe(ref("aws_security_group", sgId));
  });

  test("admits only HTTPS from the VPC CIDR to the endpoints", () => {
    const vpcId = Object.keys(resources(json, "aws_vpc"))[0];
    expect(onlyResource(json, "aws_vpc_security_group_ingress_rule")).toMatchObject({
      security_group_id: ref("aws_security_group", sgId),
      ip_protocol: "tcp",
      from_port: 443,
      to_port: 443,
      cidr_ipv4: ref("aws_vpc", vpcId, "cidr_block"),
    });
    expect(resources(json, "aws_vpc_security_group_egress_rule")).toEqual({});
    expect(resources(json, "aws_security_group")[sgId].ingress).toBeUndefined();
  });
});

describe("Vpc with flow logs off", () => {
  const { json, vpc } = synthVpc(
    trading(
      (bp) =>
        (bp.network = { ...bp.network, flowLogs: { enabled: false, disabledReason: "sandbox account" } }),
    ),
  );

  test("creates no flow log, log group or IAM role", () => {
    expect(resources(json, "aws_flow_log")).toEqual({});
    expect(resources(json, "aws_cloudwatch_log_group")).toEqual({});
    expect(resources(json, "aws_iam_role")).toEqual({});
    expect(vpc.flowLogGroupName).toBeUndefined();
  });
});

describe("Vpc with pinned AZs and explicit subnets", () => {
  const subnets = {
    public: ["10.1.0.0/24", "10.1.1.0/24", "10.1.2.0/24"],
    private: ["10.1.10.0/24", "10.1.11.0/24", "10.1.12.0/24"],
    database: ["10.1.20.0/24", "10.1.21.0/24", "10.1.22.0/24"],
  };
  const azs = ["us-east-1a", "us-east-1b", "us-east-1d"];
  const { json, vpc } = synthVpc(
    trading((bp) => (bp.network = { ...bp.network, cidr: "10.1.0.0/16", subnets, availabilityZones: azs })),
  );

  test("places subnets in the pinned AZs without looking AZs up", () => {
    expect(tierSubnets(json, "private").map(([, s]) => s.availability_zone)).toEqual(azs);
    expect(dataSources(json, "aws_availability_zones")).toEqual({});
    expect(vpc.availabilityZones).toEqual(azs);
  });

  test("uses the explicit subnet CIDRs instead of the derived plan", () => {
    expect(tierSubnets(json, "public").map(([, s]) => s.cidr_block)).toEqual(subnets.public);
    expect(tierSubnets(json, "private").map(([, s]) => s.cidr_block)).toEqual(subnets.private);
  });

  test("fails (at load time) when a pinned AZ is outside the blueprint's region", () => {
    expect(() =>
      trading(
        (bp) =>
          (bp.network = { ...bp.network, availabilityZones: ["us-east-1a", "us-east-1b", "us-west-2a"] }),
      ),
    ).toThrow(/network\.availabilityZones\.2: us-west-2a is not in .* us-east-1/);
  });

  test("the construct refuses an AZ of another region too, with a ValidationError at its path", () => {
    const config = { ...trading(() => undefined) };
    const network = { ...config.network, availabilityZones: ["us-east-1a", "us-east-1b", "us-west-2a"] };
    expect(() => synthVpc({ ...config, network })).toThrow(
      /network\.availabilityZones\.2: us-west-2a is not in .* us-east-1 .*\[at .*vpc\]/,
    );
  });

  test("fails (at load time) when a pinned AZ is named twice", () => {
    expect(() =>
      trading(
        (bp) =>
          (bp.network = { ...bp.network, availabilityZones: ["us-east-1a", "us-east-1a", "us-east-1b"] }),
      ),
    ).toThrow(/network\.availabilityZones: us-east-1a, us-east-1a, us-east-1b must name different AZs/);
  });
});
