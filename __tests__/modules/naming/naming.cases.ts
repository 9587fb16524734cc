import { NAME_RULES, Naming, ResourceKind } from "../../../modules/naming";

describe("naming", () => {
  const naming = () => new Naming("trading", "dev");

  test("builds {resource-type}-{service}-{environmentSuffix} for names unique inside the environment", () => {
    expect(naming().name("ecsService", "api-gateway")).toBe("ecs-svc-api-gateway-dev");
    expect(naming().name("securityGroup", "frontend")).toBe("secgroup-frontend-dev");
    expect(naming().name("ecsCluster")).toBe("ecs-cluster-trading-dev");
  });

  test("account-scoped names carry the blueprint before the service: {type}-{blueprint}-{service}-{suffix}", () => {
    expect(naming().name("ecrRepository", "api-gateway")).toBe("ecr-repo-trading-api-gateway-dev");
    expect(naming().name("iamRole", "frontend-exec")).toBe("role-trading-frontend-exec-dev");
    expect(naming().name("alarm", "frontend-cpu")).toBe("alarm-trading-frontend-cpu-dev");
    expect(naming().name("taskFamily", "frontend")).toBe("task-trading-frontend-dev");
    // Two blueprints with one service name and one suffix: different names.
    expect(new Naming("orders", "dev").name("ecrRepository", "api-gateway")).toBe(
      "ecr-repo-orders-api-gateway-dev",
    );
    // A shared resource (no subject) is named after the blueprint once.
    expect(naming().name("dashboard")).toBe("dashboard-trading-dev");
  });

  test("log groups and KMS aliases carry their AWS prefix", () => {
    expect(naming().name("logGroup", "frontend")).toBe("/ecs/trading-frontend-dev");
    expect(naming().name("kmsAlias")).toBe("alias/kms-trading-dev");
  });

  test("security group names never start with sg- (EC2 rejects them)", () => {
    expect(naming().name("securityGroup", "frontend")).not.toMatch(/^sg-/);
  });

  test("a name over its limit is shortened to the limit with the suffix intact", () => {
    const n = new Naming("trading", "pr123456789");
    const name = n.name("targetGroup", "green-very-long-service-name-for-trades");
    expect(name.length).toBeLessThanOrEqual(32);
    expect(name).toMatch(/^tg-trading-[a-z0-9-]*-[0-9a-f]{6}-pr123456789$/);
  });

  test("shortening is deterministic", () => {
    const long = "processing-service-with-a-long-name";
    expect(new Naming("trading", "feature-x").name("loadBalancer", long)).toBe(
      new Naming("trading", "feature-x").name("loadBalancer", long),
    );
  });

  test("two long names that share a prefix stay distinct", () => {
    const n = new Naming("trading", "pr1234");
    const a = n.name("targetGroup", "blue-order-processing-service-east");
    const b = n.name("targetGroup", "blue-order-processing-service-west");
    expect(a).not.toBe(b);
    expect(a.length).toBeLessThanOrEqual(32);
    expect(b.length).toBeLessThanOrEqual(32);
  });

  test("the longest allowed suffix still fits every kind", () => {
    const suffix = "a".repeat(20);
    const n = new Naming("trading", suffix);
    for (const kind of Object.keys(NAME_RULES) as ResourceKind[]) {
      const name = n.name(kind, "a-service-name-that-is-28-ch");
      expect(name.length).toBeLessThanOrEqual(NAME_RULES[kind].max);
      expect(name.endsWith(suffix)).toBe(true);
    }
  });

  test("shortened names do not end the kept part with a hyphen", () => {
    const n = new Naming("trading", "abcdefghij");
    expect(n.name("targetGroup", "blue-abcdefghi-jklmnop")).not.toMatch(/--/);
  });

  test("fails for a suffix ending with a hyphen or holding a double hyphen (ALB and RDS names reject them)", () => {
    expect(() => new Naming("trading", "dev-")).toThrow(/environmentSuffix: "dev-" must be/);
    expect(() => new Naming("trading", "a--b")).toThrow(/environmentSuffix: "a--b" must be/);
  });

  test("the state key is <blueprint>/<suffix>/<stack>.tfstate", () => {
    expect(naming().stateKey("platform")).toBe("trading/dev/platform.tfstate");
  });

  test("fails when the suffix has characters AWS names reject", () => {
    expect(() => new Naming("trading", "Dev_1")).toThrow(/environmentSuffix: "Dev_1" must be 1-20 lowercase/);
  });

  test("fails when the suffix is longer than 20 characters", () => {
    expect(() => new Naming("trading", "a".repeat(21))).toThrow(/must be 1-20/);
  });

  test("fails when a name breaks the kind's character rules", () => {
    expect(() => naming().name("ecrRepository", "Upper_Case")).toThrow(/does not match the AWS rule/);
  });

  test("a 32-character kind with the longest suffix keeps the type, a hash and the suffix", () => {
    const suffix = "a".repeat(20);
    expect(new Naming("trading", suffix).name("loadBalancer", "processing-service")).toMatch(
      new RegExp(`^alb-[0-9a-f]{6}-${suffix}$`),
    );
  });
});
