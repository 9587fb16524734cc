/**
 * The `environments:` section (config/environments.ts), the fields it usually overrides
 * (lifecycle, account, domain: config/targets.ts) and the state bucket default. No synthesis:
 * every case is a loadConfig over a small blueprint file.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { loadConfig, resolveBlueprint } from "../../config";
import { deepMerge, selectEnvironment } from "../../config/environments";
import { main as blueprintCli } from "../../scripts/blueprint";

const dir = mkdtempSync(join(tmpdir(), "environments-config-"));
let files = 0;
/** Writes a blueprint file: a minimal valid blueprint with `extra` merged in. */
function blueprintFile(extra: Record<string, unknown> = {}): string {
  const file = join(dir, `bp-${++files}.yaml`);
  const base = {
    name: "shop",
    tags: { Team: "t", CostCenter: "c", Project: "p" },
    services: { web: { kind: "web", cpu: 256, memory: 512, port: 8080, paths: ["/*"] } },
  };
  writeFileSync(file, stringify({ ...base, ...extra }));
  return file;
}
const load = (file: string, suffix: string, env: Record<string, string> = {}) =>
  loadConfig({ BLUEPRINT: file, ENVIRONMENT_SUFFIX: suffix, TF_STATE_BUCKET: "my-state", ...env });

const ACCOUNT = { id: "123456789012" };
const TWO = blueprintFile({
  account: ACCOUNT,
  network: { natGateways: "single" },
  environments: {
    dev: { services: { web: { spotBase: 0, desiredCount: 1 } } },
    production: {
      lifecycle: "persistent",
      network: { natGateways: "per-az" },
      services: { web: { desiredCount: 3, maxCount: 6 } },
      observability: { alarmEmail: "oncall@example.com" },
    },
  },
});

describe("deep merge", () => {
  test("merges mappings key by key", () => {
    expect(deepMerge({ a: { x: 1, y: 2 }, b: 1 }, { a: { y: 3 } })).toEqual({ a: { x: 1, y: 3 }, b: 1 });
  });
  test("replaces lists and values", () => {
    expect(deepMerge({ paths: ["/a", "/b"], n: 1 }, { paths: ["/c"], n: 2 })).toEqual({
      paths: ["/c"],
      n: 2,
    });
  });
  test("removes a field set to null", () => {
    expect(deepMerge({ domain: { zone: "a.com" }, n: 1 }, { domain: null })).toEqual({ n: 1 });
  });
  test("leaves the base untouched", () => {
    const base = { a: { x: 1 } };
    deepMerge(base, { a: { x: 2 } });
    expect(base).toEqual({ a: { x: 1 } });
  });
});

describe("selecting an environment", () => {
  test("ENVIRONMENT_SUFFIX names a declared environment: its overrides are merged over the blueprint", () => {
    const production = load(TWO, "production");
    expect(production.lifecycle).toBe("persistent");
    expect(production.network.natGateways).toBe("per-az");
    expect(production.services.web).toMatchObject({ desiredCount: 3, maxCount: 6, cpu: 256 });
    expect(production.observability.alarmEmail).toBe("oncall@example.com");
    expect(production.environment).toEqual({
      name: "production",
      declared: true,
      template: undefined,
      environments: ["dev", "production"],
    });
  });

  test("another declared environment keeps the blueprint's values it does not override", () => {
    const dev = load(TWO, "dev");
    expect(dev.lifecycle).toBe("ephemeral");
    expect(dev.network.natGateways).toBe("single");
    expect(dev.services.web.desiredCount).toBe(1);
    expect(dev.observability.alarmEmail).toBeUndefined();
  });

  test("an ad-hoc suffix uses the blueprint as written", () => {
    const pr = load(TWO, "pr123");
    expect(pr.lifecycle).toBe("ephemeral");
    expect(pr.services.web.desiredCount).toBe(2);
    expect(pr.environment).toMatchObject({ name: "pr123", declared: false });
  });

  test("an ad-hoc suffix with ENVIRONMENT_TEMPLATE uses that environment's overrides, under its own name", () => {
    const pr = load(TWO, "pr123", { ENVIRONMENT_TEMPLATE: "dev" });
    expect(pr.services.web.desiredCount).toBe(1);
    expect(pr.environmentSuffix).toBe("pr123");
    expect(pr.environment).toMatchObject({ declared: false, template: "dev" });
  });

  test("fails when an ad-hoc environment would be persistent (a persistent template)", () => {
    expect(() => load(TWO, "pr123", { ENVIRONMENT_TEMPLATE: "production" })).toThrow(
      /the ad-hoc environment pr123 would be "persistent" \(lifecycle of the template environment production\); ad-hoc environments must be "ephemeral"/,
    );
  });

  test("fails when an ad-hoc environment of a blueprint with environments would be persistent", () => {
    const file = blueprintFile({ lifecycle: "persistent", environments: { production: {} } });
    expect(load(file, "production").lifecycle).toBe("persistent");
    expect(() => load(file, "pr9")).toThrow(/the ad-hoc environment pr9 would be "persistent"/);
  });

  test("fails when ENVIRONMENT_TEMPLATE is not a declared environment, listing them", () => {
    expect(() => load(TWO, "pr1", { ENVIRONMENT_TEMPLATE: "qa" })).toThrow(
      /ENVIRONMENT_TEMPLATE: "qa" is not an environment of .*bp-\d+\.yaml \(declared: dev, production\)/,
    );
  });

  test("fails when ENVIRONMENT_TEMPLATE is given for a declared environment", () => {
    expect(() => load(TWO, "dev", { ENVIRONMENT_TEMPLATE: "production" })).toThrow(
      /applies to ad-hoc environments only; dev is declared/,
    );
  });

  test("validates the merged result with the schema, naming the environment in the path", () => {
    const file = blueprintFile({ environments: { production: { services: { web: { cpu: 300 } } } } });
    expect(() => load(file, "production")).toThrow(
      /environments\.production\.services\.web\.cpu: 300 is not a Fargate CPU size/,
    );
    expect(() => load(file, "dev")).not.toThrow();
  });

  test("fails on an environment name that is not a valid suffix", () => {
    const file = blueprintFile({ environments: { Production: {} } });
    expect(() => load(file, "dev")).toThrow(/environments\.Production: is not an environment name/);
  });

  test("fails when an environment overrides the blueprint name", () => {
    const file = blueprintFile({ environments: { dev: { name: "other" } } });
    expect(() => load(file, "dev")).toThrow(/environments\.dev\.name: cannot be overridden per environment/);
  });

  test("fails on an unknown lifecycle, naming the environment and the allowed values", () => {
    const file = blueprintFile({ environments: { production: { lifecycle: "forever" } } });
    expect(() => load(file, "dev")).toThrow(
      /environments\.production\.lifecycle: "forever": must be one of "ephemeral", "persistent"/,
    );
  });

  test("fails on an unknown field in an environment, naming the environment", () => {
    const file = blueprintFile({ environments: { dev: { nat: "single" } } });
    expect(() => load(file, "dev")).toThrow(/environments\.dev\.nat: unknown field; did you mean "name"\?/);
  });

  test("drops the environments section from what the schema sees", () => {
    const selection = selectEnvironment({ name: "x", environments: { dev: {} } }, "l", "pr1");
    expect(selection.input).toEqual({ name: "x" });
  });
});

describe("persistent defaults", () => {
  test("a persistent environment gets interface endpoints unless it says otherwise", () => {
    expect(load(TWO, "production").network.interfaceEndpoints).toBe(true);
    expect(load(TWO, "dev").network.interfaceEndpoints).toBe(false);
    const off = blueprintFile({
      environments: { production: { lifecycle: "persistent", network: { interfaceEndpoints: false } } },
    });
    expect(load(off, "production").network.interfaceEndpoints).toBe(false);
  });

  test("built-in blueprints stay ephemeral", () => {
    for (const name of ["trading", "orders", "fraud", "fintech"])
      expect(loadConfig({ BLUEPRINT: name, ENVIRONMENT_SUFFIX: "dev" }).lifecycle).toBe("ephemeral");
  });
});

describe("state bucket", () => {
  const noBucket = (file: string, suffix: string, env: Record<string, string> = {}) =>
    loadConfig({ BLUEPRINT: file, ENVIRONMENT_SUFFIX: suffix, ...env });

  test("derives from the account id, the state region and the blueprint", () => {
    expect(noBucket(TWO, "production").state).toMatchObject({
      bucket: "tfstate-123456789012-us-east-1-shop",
      bucketSource: "account",
    });
    expect(noBucket(TWO, "dev", { TF_STATE_REGION: "eu-west-1" }).state.bucket).toBe(
      "tfstate-123456789012-eu-west-1-shop",
    );
  });

  test("TF_STATE_BUCKET wins over the derived name", () => {
    expect(noBucket(TWO, "dev", { TF_STATE_BUCKET: "central-state" }).state.bucket).toBe("central-state");
  });

  test("fails for a blueprint with environments and no account, instead of guessing a global name", () => {
    const file = blueprintFile({ environments: { production: { lifecycle: "persistent" } } });
    expect(() => noBucket(file, "production")).toThrow(
      /TF_STATE_BUCKET: not set, and environment production of blueprint shop names no AWS account.*Set TF_STATE_BUCKET, or account\.id/,
    );
    expect(() => noBucket(file, "pr7")).toThrow(
      /the ad-hoc environment pr7 of blueprint shop names no AWS account/,
    );
  });

  test("keeps tfstate-<blueprint>-platform for a blueprint without environments or account", () => {
    expect(noBucket(blueprintFile(), "dev").state.bucket).toBe("tfstate-shop-platform");
  });
});

describe("account", () => {
  test("fails on an account id that is not 12 digits", () => {
    const file = blueprintFile({ account: { id: "12345" } });
    expect(() => load(file, "dev")).toThrow(/account\.id: "12345": is not an AWS account id \(12 digits\)/);
  });

  test("fails when the role belongs to another account", () => {
    const file = blueprintFile({
      account: { id: "123456789012", roleArn: "arn:aws:iam::999999999999:role/deploy" },
    });
    expect(() => load(file, "dev")).toThrow(
      /account\.roleArn: is a role of account 999999999999, but account\.id is 123456789012/,
    );
  });
});

describe("domain", () => {
  test("fails when the name is outside the zone", () => {
    const file = blueprintFile({
      domain: { zone: "example.com", name: "shop.example.org" },
      environments: { dev: {} },
    });
    expect(() => load(file, "dev")).toThrow(
      /domain\.name: shop\.example\.org is not inside the zone example\.com/,
    );
  });

  test("fails together with a certificate ARN (one certificate per listener)", () => {
    const file = blueprintFile({
      domain: { zone: "example.com", name: "shop.example.com" },
      environments: { dev: {} },
    });
    expect(() =>
      load(file, "dev", {
        ALB_CERTIFICATE_ARN:
          "arn:aws:acm:us-east-1:123456789012:certificate/0123abcd-0000-0000-0000-000000000000",
      }),
    ).toThrow(
      /domain: and loadBalancer\.certificateArn \(or ALB_CERTIFICATE_ARN\) both give the ALB a certificate/,
    );
  });

  test("satisfies loadBalancer.https without a certificate ARN", () => {
    const file = blueprintFile({
      domain: { zone: "example.com", name: "example.com" },
      loadBalancer: { https: true },
      environments: { dev: {} },
    });
    expect(load(file, "dev").domain).toEqual({ zone: "example.com", name: "example.com" });
  });

  test("fails without a web service", () => {
    const file = blueprintFile({
      domain: { zone: "example.com", name: "shop.example.com" },
      services: { worker: { kind: "worker", cpu: 256, memory: 512 } },
      environments: { dev: {} },
    });
    expect(() => load(file, "dev")).toThrow(/domain: needs a web service/);
  });
});

describe("one domain per environment", () => {
  const shop = (name: string) => ({ zone: "example.com", name: `${name}.example.com` });

  test("fails when two declared environments would share a domain (inherited from the blueprint)", () => {
    const file = blueprintFile({
      domain: shop("shop"),
      environments: { staging: {}, production: { lifecycle: "persistent" } },
    });
    expect(() => load(file, "production")).toThrow(
      /environments\.production\.domain: shop\.example\.com is also the domain of environment staging; each environment needs its own name/,
    );
  });

  test("accepts a domain per environment, and none where it is removed with null", () => {
    const file = blueprintFile({
      domain: shop("shop"),
      environments: { dev: { domain: null }, staging: { domain: shop("staging") }, production: {} },
    });
    expect(load(file, "dev").domain).toBeUndefined();
    expect(load(file, "staging").domain).toEqual(shop("staging"));
    expect(load(file, "production").domain).toEqual(shop("shop"));
  });

  test("fails when an ad-hoc environment would take a declared environment's domain", () => {
    const file = blueprintFile({ environments: { dev: {}, production: { domain: shop("shop") } } });
    expect(() => load(file, "pr5", { ENVIRONMENT_TEMPLATE: "production" })).toThrow(
      /the ad-hoc environment pr5 would take the domain shop\.example\.com of environment production/,
    );
    expect(load(file, "pr5", { ENVIRONMENT_TEMPLATE: "dev" }).domain).toBeUndefined();
  });

  test("fails when ad-hoc environments would share the blueprint's own domain (no environments declared)", () => {
    const file = blueprintFile({ domain: shop("shop") });
    for (const suffix of ["dev", "pr123"])
      expect(() => load(file, suffix)).toThrow(
        new RegExp(
          `the ad-hoc environment ${suffix} would get the domain shop\\.example\\.com .*a domain belongs to a declared environment only`,
        ),
      );
  });
});

describe("resolveBlueprint and npm run blueprint -- show --environment", () => {
  test("resolveBlueprint returns the merged, defaulted blueprint of an environment", () => {
    const bp = resolveBlueprint(TWO, "production");
    expect(bp.lifecycle).toBe("persistent");
    expect(bp.services.web.desiredCount).toBe(3);
    expect(bp).not.toHaveProperty("environments");
  });

  test("show --environment prints the merged result, which loads unchanged as a blueprint", () => {
    const text = blueprintCli(["show", TWO, "--environment", "production"]);
    expect(text).toMatch(
      /^# yaml-language-server: \$schema=.*\n# Blueprint [\w-]+, environment production, resolved with defaults/,
    );
    const printed = join(dir, "printed.yaml");
    writeFileSync(printed, text);
    const again = load(printed, "production");
    const original = load(TWO, "production");
    expect(again.services).toEqual(original.services);
    expect(again.lifecycle).toBe("persistent");
  });

  test("show fails on an unknown option", () => {
    expect(() => blueprintCli(["show", "trading", "--env", "x"])).toThrow(/usage: npm run blueprint/);
  });
});
