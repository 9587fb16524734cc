/**
 * CDK_RUNTIME selects the framework (scripts/runtime.cjs); this suite runs on either, so it
 * compares what the runtime decides rather than hard-coding one framework's strings.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";

interface Runtime {
  RUNTIMES: string[];
  runtime(env?: Record<string, string | undefined>): string;
  aliases(name?: string): Record<string, string>;
  tsconfig(name?: string): string;
  toolEnv(env?: Record<string, string | undefined>): Record<string, string | undefined>;
  command(tool: string, args: string[], name?: string): string[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rt = require("../scripts/runtime.cjs") as Runtime;
const root = join(__dirname, "..");
const selected = rt.runtime();

describe("CDK_RUNTIME", () => {
  test("defaults to cdktf, and an empty value is the default", () => {
    expect(rt.runtime({})).toBe("cdktf");
    expect(rt.runtime({ CDK_RUNTIME: "" })).toBe("cdktf");
    expect(rt.runtime({ CDK_RUNTIME: "cdktn" })).toBe("cdktn");
  });

  test("fails when the runtime is unknown, naming the allowed ones", () => {
    expect(() => rt.runtime({ CDK_RUNTIME: "cdk" })).toThrow(
      'CDK_RUNTIME: "cdk" is not a runtime (cdktf, cdktn)',
    );
  });

  test("cdktn maps the framework and the provider packages; cdktf maps nothing", () => {
    expect(rt.aliases("cdktn")).toEqual({ cdktf: "cdktn", "@cdktf/provider-aws": "@cdktn/provider-aws" });
    expect(rt.aliases("cdktf")).toEqual({});
  });

  test("the tools run on the runtime: its CLI, and tsc and tsx with its tsconfig", () => {
    const bin = (b: string) => join(root, "node_modules", ".bin", b);
    expect(rt.command("cli", ["synth"], "cdktn")).toEqual([bin("cdktn"), "synth"]);
    expect(rt.command("cli", ["synth"], "cdktf")).toEqual([bin("cdktf"), "synth"]);
    expect(rt.command("tsc", ["--noEmit"], "cdktn")).toEqual([
      bin("tsc"),
      "--project",
      join(root, "tsconfig.cdktn.json"),
      "--noEmit",
    ]);
    expect(rt.tsconfig("cdktf")).toBe(join(root, "tsconfig.json"));
    expect(() => rt.command("make", [])).toThrow(/unknown tool "make"/);
  });

  test("tools get cdktn's creation stack traces and the CLI's telemetry switched off unless the caller set the switch", () => {
    expect(rt.toolEnv({ CDK_RUNTIME: "cdktn" })).toMatchObject({
      CDK_RUNTIME: "cdktn",
      CDKTN_DISABLE_CREATION_STACK: "1",
      CHECKPOINT_DISABLE: "1",
      TSX_TSCONFIG_PATH: join(root, "tsconfig.cdktn.json"),
    });
    expect(rt.toolEnv({ CDKTN_DISABLE_CREATION_STACK: "0" }).CDKTN_DISABLE_CREATION_STACK).toBe("0");
    expect(rt.toolEnv({ CHECKPOINT_DISABLE: "" }).CHECKPOINT_DISABLE).toBe("");
  });

  test("every npm script that can start the CLI runs with its telemetry off", () => {
    const { scripts } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    };
    // runtime.cjs sets CHECKPOINT_DISABLE (toolEnv); release and task through scripts/cli-entry.ts.
    const off = /^node scripts\/runtime\.cjs |^node --import tsx scripts\/(release|task)\/index\.ts$/;
    const tools = Object.entries(scripts).filter(([name]) => !["lint", "format", "test"].includes(name));
    expect(tools.filter(([, command]) => !off.test(command))).toEqual([]);
    expect(readFileSync(join(root, "scripts", "cli-entry.ts"), "utf8")).toContain(
      'process.env.CHECKPOINT_DISABLE ??= "1"',
    );
  });

  test("the framework the tests import is the one CDK_RUNTIME selects", () => {
    expect(packageJson("cdktf").name).toBe(selected);
    expect(packageJson("@cdktf/provider-aws").name).toBe(
      selected === "cdktn" ? "@cdktn/provider-aws" : "@cdktf/provider-aws",
    );
  });

  test("the synthesized provider requirement is the provider the selected package wraps", () => {
    const { name, version } = packageJson("@cdktf/provider-aws").cdktf!.provider;
    const stack = new TerraformStack(Testing.app(), "s");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    const required = JSON.parse(Testing.synth(stack)).terraform.required_providers.aws;
    // cdktf writes the short source `aws`, cdktn `hashicorp/aws`: both name the same provider.
    expect(name).toBe("registry.terraform.io/hashicorp/aws");
    expect(name.endsWith(`/${required.source}`)).toBe(true);
    expect(required.version).toBe(version);
  });
});

interface PackageJson {
  readonly name: string;
  readonly cdktf?: { readonly provider: { readonly name: string; readonly version: string } };
}

/** The package.json of `name` as the tests resolve it (through Jest's moduleNameMapper). */
function packageJson(name: string): PackageJson {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(`${name}/package.json`) as PackageJson;
}
