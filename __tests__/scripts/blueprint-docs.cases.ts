/**
 * The blueprint reference and JSON Schema are generated from config/schema.ts and committed:
 * stale files fail here. The schema accepts every built-in blueprint as `blueprint show` prints
 * it and rejects what the synth rejects field by field.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import { parse } from "yaml";
import { BUILT_IN_BLUEPRINTS } from "../../config/blueprints";
import {
  blueprintJsonSchema,
  generatedFiles,
  REFERENCE_PATH,
  SCHEMA_PATH,
} from "../../scripts/blueprint-docs";
import { showBlueprint } from "../../scripts/blueprint";

const root = join(__dirname, "..", "..");

test.each([SCHEMA_PATH, REFERENCE_PATH])("%s is up to date (npm run docs:blueprint)", (path) => {
  expect(readFileSync(join(root, path), "utf8")).toBe(generatedFiles()[path]);
});

describe("blueprint.schema.json", () => {
  const validate = new Ajv({ allErrors: true }).compile(blueprintJsonSchema());

  test.each(Object.keys(BUILT_IN_BLUEPRINTS))("accepts blueprint %s as blueprint show prints it", (name) => {
    expect(validate(parse(showBlueprint(name)))).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
  });

  test("rejects an unknown field, a wrong enum value and a missing service kind", () => {
    const bp = parse(showBlueprint("trading")) as Record<string, unknown> & {
      network: Record<string, unknown>;
      services: Record<string, Record<string, unknown>>;
    };
    bp.network.natGateways = "two";
    bp.extra = true;
    delete Object.values(bp.services)[0].kind;
    expect(validate(bp)).toBe(false);
    const paths = (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message}`).join("\n");
    expect(paths).toMatch(/\.network\.natGateways should be equal to one of the allowed values/);
    expect(paths).toMatch(/should NOT have additional properties/);
    expect(paths).toMatch(/should have required property 'kind'/);
  });
});

describe("docs/blueprint-reference.md", () => {
  const reference = generatedFiles()[REFERENCE_PATH];

  test("lists nested fields with their default and allowed values", () => {
    expect(reference).toContain('| `network.natGateways` | `"single"`, `"per-az"` |  | `"per-az"` |');
    expect(reference).toMatch(
      /\| `services\.<name>\.kind` \| `"web"`, `"backend"`, `"worker"`, `"scheduled"` \| yes \|/,
    );
  });

  test("uses a field's description where the schema has one", () => {
    expect(reference).toMatch(/\| `region` \|[^\n]*\| AWS region of every stack/);
  });
});

test("the README, docs and built-in blueprints name nothing outside the repository", () => {
  const files = [
    "README.md",
    ...["docs", "docs/blueprints", "config/blueprints"].flatMap((d) =>
      readdirSync(join(root, d))
        .filter((f) => /\.(md|ts)$/.test(f) && f !== "decisions.md")
        .map((f) => `${d}/${f}`),
    ),
  ];
  const outside = /\bbriefs? \d{3}|\.\.\/shared\/|design card/i;
  const hits = files.flatMap((f) =>
    readFileSync(join(root, f), "utf8")
      .split("\n")
      .filter((line) => outside.test(line))
      .map((line) => `${f}: ${line.trim()}`),
  );
  expect(hits).toEqual([]);
});

test("the README's first command synthesizes through the cdktf CLI with its telemetry off", () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const firstBlock = /```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? "";
  const commands = firstBlock.split("\n").map((l) => l.replace(/#.*/, "").trim());
  expect(commands.filter(Boolean)).toEqual(["npm ci && npm run synth", "npm ci && npm test"]);
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  expect(pkg.scripts.synth).toBe("node scripts/runtime.cjs cli synth");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const runtime = require("../../scripts/runtime.cjs");
  expect(runtime.command("cli", ["synth"], "cdktf")[0]).toMatch(/node_modules\/\.bin\/cdktf$/);
  expect(runtime.toolEnv({}).CHECKPOINT_DISABLE).toBe("1");
});
