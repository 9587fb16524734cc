import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ConfigError, loadConfig } from "../../config";
import { BUILT_IN_BLUEPRINTS } from "../../config/blueprints";
import { main as blueprintCli, showBlueprint } from "../../scripts/blueprint";

const dir = mkdtempSync(join(tmpdir(), "blueprint-"));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("config loader", () => {
  test("defaults to the trading blueprint, suffix dev and a state bucket derived from the blueprint", () => {
    const config = loadConfig({});
    expect(config.name).toBe("trading");
    expect(config.environmentSuffix).toBe("dev");
    expect(config.state).toEqual({
      bucket: "tfstate-trading-platform",
      region: "us-east-1",
      noncurrentVersionDays: 90,
      bucketSource: "blueprint-default",
    });
    expect(config.source).toBe("built-in:trading");
  });

  test("reads ENVIRONMENT_SUFFIX, BLUEPRINT, TF_STATE_BUCKET and TF_STATE_REGION", () => {
    const config = loadConfig({
      ENVIRONMENT_SUFFIX: "pr42",
      BLUEPRINT: "fraud",
      TF_STATE_BUCKET: "acme-tfstate",
      TF_STATE_REGION: "eu-west-1",
    });
    expect(config).toMatchObject({ name: "fraud", environmentSuffix: "pr42", region: "eu-central-1" });
    expect(config.state).toEqual({
      bucket: "acme-tfstate",
      region: "eu-west-1",
      noncurrentVersionDays: 90,
      bucketSource: "TF_STATE_BUCKET",
    });
  });

  test("the state region defaults to the blueprint's region", () => {
    expect(loadConfig({ BLUEPRINT: "fraud" }).state.region).toBe("eu-central-1");
  });

  test("the Environment tag defaults to the environment suffix", () => {
    expect(loadConfig({ ENVIRONMENT_SUFFIX: "staging" }).tags.Environment).toBe("staging");
  });

  test("ALB_CERTIFICATE_ARN turns HTTPS on with that certificate", () => {
    const arn = "arn:aws:acm:us-east-1:123456789012:certificate/0f8e1c2a-1111-2222-3333-444455556666";
    expect(loadConfig({ ALB_CERTIFICATE_ARN: arn }).loadBalancer).toMatchObject({
      https: true,
      certificateArn: arn,
    });
  });

  test("ALARM_EMAIL sets the alarm subscription", () => {
    expect(loadConfig({ ALARM_EMAIL: "oncall@example.com" }).observability.alarmEmail).toBe(
      "oncall@example.com",
    );
  });

  test("the config is frozen", () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.services.frontend.healthCheck)).toBe(true);
  });

  test("every built-in blueprint validates", () => {
    for (const name of Object.keys(BUILT_IN_BLUEPRINTS)) {
      expect(loadConfig({ BLUEPRINT: name }).name).toBe(name);
    }
  });

  test("fails when TF_STATE_BUCKET is not an S3 bucket name", () => {
    expect(() => loadConfig({ TF_STATE_BUCKET: "Bad_Bucket" })).toThrow(
      /TF_STATE_BUCKET: "Bad_Bucket" is not an S3 bucket name/,
    );
  });

  test("fails when TF_STATE_REGION is not a region", () => {
    expect(() => loadConfig({ TF_STATE_REGION: "mars-1" })).toThrow(
      /TF_STATE_REGION: "mars-1" is not an AWS region/,
    );
  });

  test("fails with a ConfigError naming the variable (not a blueprint field) for a bad ALB_CERTIFICATE_ARN", () => {
    expect(() => loadConfig({ ALB_CERTIFICATE_ARN: "not-an-arn" })).toThrow(ConfigError);
    expect(() => loadConfig({ ALB_CERTIFICATE_ARN: "not-an-arn" })).toThrow(
      /^ALB_CERTIFICATE_ARN: "not-an-arn": is not an ACM certificate ARN/,
    );
  });
});

describe("blueprint files", () => {
  test("a YAML blueprint file is validated by the same schema", () => {
    const path = write("mine.yaml", stringify({ ...BUILT_IN_BLUEPRINTS.trading, name: "mine" }));
    const config = loadConfig({ BLUEPRINT: path });
    expect(config.name).toBe("mine");
    expect(config.source).toBe(path);
  });

  test("a JSON blueprint file works too", () => {
    const path = write("mine.json", JSON.stringify({ ...BUILT_IN_BLUEPRINTS.orders, name: "mine-json" }));
    expect(loadConfig({ BLUEPRINT: path }).services["order-processor"].cpu).toBe(1024);
  });

  test("errors in a file name the file and the field path", () => {
    const bp = structuredClone(BUILT_IN_BLUEPRINTS.trading) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    bp.services.frontend.cpu = 300;
    const path = write("bad.yaml", stringify(bp));
    expect(() => loadConfig({ BLUEPRINT: path })).toThrow(
      new RegExp(
        `${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\d+: services\\.frontend\\.cpu: 300 is not a Fargate CPU size \\(256, 512, 1024, 2048, 4096, 8192, 16384\\)`,
      ),
    );
  });

  test("unknown fields in a file are rejected (typos do not pass silently)", () => {
    const path = write("typo.yaml", stringify({ ...BUILT_IN_BLUEPRINTS.trading, regoin: "us-west-2" }));
    expect(() => loadConfig({ BLUEPRINT: path })).toThrow(
      /typo\.yaml:\d+: regoin: unknown field; did you mean "region"\? allowed here: name, description, region/,
    );
  });

  test("fails when the file does not exist", () => {
    expect(() => loadConfig({ BLUEPRINT: join(dir, "missing.yaml") })).toThrow(
      /BLUEPRINT: file .*missing\.yaml does not exist/,
    );
  });

  test("fails when the file is not valid YAML", () => {
    const path = write("broken.yaml", "name: [unclosed\n");
    expect(() => loadConfig({ BLUEPRINT: path })).toThrow(
      /BLUEPRINT: .*broken\.yaml is not valid YAML\/JSON/,
    );
  });
});

describe("npm run blueprint", () => {
  test("show prints YAML that synthesizes unchanged when fed back through BLUEPRINT=<file>", () => {
    for (const name of Object.keys(BUILT_IN_BLUEPRINTS)) {
      const path = write(`${name}-shown.yaml`, showBlueprint(name));
      const { source: _a, ...fromFile } = loadConfig({ BLUEPRINT: path });
      const { source: _b, ...builtIn } = loadConfig({ BLUEPRINT: name });
      expect(fromFile).toEqual(builtIn);
    }
  });

  test("show resolves defaults (fields the blueprint omits are printed)", () => {
    expect(showBlueprint("trading")).toMatch(/deregistrationDelaySeconds: 30/);
  });

  test("list names every built-in blueprint", () => {
    expect(blueprintCli(["list"]).split("\n")).toEqual(Object.keys(BUILT_IN_BLUEPRINTS));
  });

  test("fails for an unknown blueprint, listing the known ones", () => {
    expect(() => blueprintCli(["show", "nope"])).toThrow(
      'blueprint "nope" is not built in (trading, orders, fraud, fintech)',
    );
  });

  test("fails with usage for an unknown command", () => {
    expect(() => blueprintCli(["frobnicate"])).toThrow(
      /usage: npm run blueprint -- list \| show <name> \[--out <file>\] \[--environment <env>\]/,
    );
  });
});
