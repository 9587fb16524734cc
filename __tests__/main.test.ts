/**
 * The entry point's contract with the user: a mistake of any kind (blueprint, environment
 * variable, construct check, guardrail) is printed without a stack trace, exits non-zero and
 * leaves the previous cdktf.out exactly as it was; the guardrail report does not advertise
 * skipping validation.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { TerraformOutput, TerraformStack, Testing } from "cdktf";
import { BUILT_IN_BLUEPRINTS } from "../config/blueprints";
import { ConfigError } from "../config";
import { userFacingMessage, ValidationError } from "../modules/errors";
import { Naming } from "../modules/naming";
import { Vpc } from "../modules/vpc";
import { synthesizeAtomically } from "../stacks/synth-output";
import { configFor } from "./support/synth";

const repo = resolve(__dirname, "..");
const tmp = mkdtempSync(join(tmpdir(), "main-"));

/** An output directory holding a previous synth (and Terraform's working files). */
function previousOutput(name: string): string {
  const outdir = join(tmp, name, "cdktf.out");
  mkdirSync(join(outdir, "stacks", "network", ".terraform"), { recursive: true });
  writeFileSync(join(outdir, "stacks", "network", "cdk.tf.json"), "previous network");
  writeFileSync(join(outdir, "stacks", "network", ".terraform", "providers"), "kept");
  writeFileSync(join(outdir, "manifest.json"), "previous manifest");
  return outdir;
}
const contents = (outdir: string) =>
  readdirSync(outdir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map(
      (e) =>
        `${join(e.parentPath, e.name).slice(outdir.length)}=${readFileSync(join(e.parentPath, e.name), "utf8")}`,
    )
    .sort();

/** Runs the synth entry (cdktf.json "app") as `cdktf synth` does. */
function synth(env: Record<string, string>, outdir: string) {
  return spawnSync("node", ["scripts/synth-entry.mjs"], {
    cwd: repo,
    env: { ...process.env, ENVIRONMENT_SUFFIX: "dev", ...env, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
}
const STACK_TRACE = /^\s+at .+[:(]/m;

describe("main.ts through the synth entry", () => {
  test("a guardrail failure exits 1 with the findings, no stack trace, no skipValidation hint, and the previous cdktf.out intact", () => {
    const bp = structuredClone(BUILT_IN_BLUEPRINTS.trading) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    bp.services.frontend.environment = { DATABASE_URL: "postgres://app:pw@db.internal:5432/app" };
    const blueprint = join(tmp, "leaky.json");
    writeFileSync(blueprint, JSON.stringify(bp));
    const outdir = previousOutput("guardrail");
    const before = contents(outdir);

    const run = synth({ BLUEPRINT: blueprint }, outdir);

    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/guardrails failed; fix the findings below/);
    expect(run.stderr).toMatch(
      /ECS6 .*\n.*passes DATABASE_URL as a plain environment value that looks like a credential/,
    );
    expect(run.stderr + run.stdout).not.toMatch(/skipValidation/);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(contents(outdir)).toEqual(before);
    expect(readdirSync(dirname(outdir))).toEqual(["cdktf.out"]); // no staging directory left behind
  });

  test.each([
    ["BLUEPRINT naming a directory", { BLUEPRINT: tmp + "/" }, /^BLUEPRINT: /],
    ["a bad ALARM_EMAIL", { ALARM_EMAIL: "nope" }, /^ALARM_EMAIL: "nope": /],
  ])("%s exits 1 with one line naming the variable and no stack trace", (_what, env, message) => {
    const outdir = previousOutput(`env-${Object.keys(env)[0]}`);
    const before = contents(outdir);
    const run = synth(env, outdir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(contents(outdir)).toEqual(before);
  });
});

describe("synthesizeAtomically", () => {
  test("publishes a successful synth over the previous files, keeping Terraform's working files", () => {
    const outdir = previousOutput("success");
    synthesizeAtomically((app) => {
      const stack = new TerraformStack(app, "network");
      new TerraformOutput(stack, "marker", { value: "new" });
    }, outdir);
    expect(readFileSync(join(outdir, "stacks", "network", "cdk.tf.json"), "utf8")).toMatch(/"marker"/);
    expect(JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")).stacks.network).toBeDefined();
    expect(readFileSync(join(outdir, "stacks", "network", ".terraform", "providers"), "utf8")).toBe("kept");
    expect(readdirSync(dirname(outdir))).toEqual(["cdktf.out"]);
  });

  test("creates the output directory's missing parents (a fresh clone's cdktf.out/blueprints/<name>)", () => {
    const outdir = join(tmp, "fresh", "cdktf.out", "blueprints", "trading");
    synthesizeAtomically((app) => {
      new TerraformOutput(new TerraformStack(app, "network"), "marker", { value: "new" });
    }, outdir);
    expect(existsSync(join(outdir, "stacks", "network", "cdk.tf.json"))).toBe(true);
    expect(readdirSync(dirname(outdir))).toEqual(["trading"]);
  });

  test("leaves the previous output untouched when building the stacks fails", () => {
    const outdir = previousOutput("failure");
    const before = contents(outdir);
    expect(() =>
      synthesizeAtomically((app) => {
        new TerraformStack(app, "network");
        throw new ValidationError("services.api.port: nope", "platform/api");
      }, outdir),
    ).toThrow(ValidationError);
    expect(contents(outdir)).toEqual(before);
    expect(existsSync(`${outdir}.staging-${process.pid}`)).toBe(false);
  });
});

describe("user-facing errors", () => {
  test("a construct check raises a ValidationError carrying the construct path", () => {
    const config = configFor("trading");
    let error: unknown;
    try {
      Testing.synthScope((scope) => {
        new Vpc(scope, "vpc", {
          naming: new Naming("trading", "test"),
          region: "us-east-1",
          network: { ...config.network, availabilityZones: ["us-east-1a", "us-east-1a", "us-east-1b"] },
          databaseSubnets: false,
        });
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).constructPath).toMatch(/\/vpc$/);
    expect(userFacingMessage(error)).toMatch(
      /^network\.availabilityZones: .* must name 3 different AZs \[at .*\/vpc\]$/,
    );
  });

  test("config errors and cdktf's validation failures are user-facing; other errors are defects", () => {
    expect(userFacingMessage(new ConfigError("BLUEPRINT: x"))).toBe("BLUEPRINT: x");
    const cdktf = new Error(
      "Validation failed with the following errors:\n  [platform] guardrails: 1 error\n\nIf you wish to ignore these validations, pass 'skipValidation: true' to your App configuration.\n",
    );
    expect(userFacingMessage(cdktf)).toBe(
      "guardrails failed; fix the findings below (or suppress a rule in the blueprint's guardrails.suppressions with its reason):\n  [platform] guardrails: 1 error",
    );
    expect(userFacingMessage(new TypeError("x is undefined"))).toBeUndefined();
  });
});
