/**
 * `npm run blueprint -- show`: clean YAML however it is invoked (`--out` writes the file itself),
 * a file accepted wherever a built-in name is, and the schema modeline editors read.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig } from "../../config";
import {
  main,
  resolveBlueprint,
  schemaModeline,
  showBlueprint,
  SCHEMA_FILE,
  userDirectory,
} from "../../scripts/blueprint";
import { withoutNpmBanner } from "../../config";
import { renderDiagram } from "../../scripts/diagram";

const dir = mkdtempSync(join(tmpdir(), "blueprint-show-"));

describe("blueprint show --out", () => {
  const out = join(dir, "nested", "fraud.yaml");
  const printed = main(["show", "fraud", "--out", out]);
  const text = readFileSync(out, "utf8");

  test("writes the file itself and prints nothing (no npm banner can reach the file)", () => {
    expect(printed).toBe("");
    expect(text.startsWith("# yaml-language-server: $schema=")).toBe(true);
    expect(text).not.toMatch(/^> /m);
  });

  test("the modeline points at blueprint.schema.json relative to the written file", () => {
    const path = text.split("\n")[0].replace("# yaml-language-server: $schema=", "");
    expect(resolve(dir, "nested", path)).toBe(SCHEMA_FILE);
  });

  test("the written file synthesizes the same config as the built-in blueprint", () => {
    const { source: _a, ...fromFile } = loadConfig({ BLUEPRINT: out });
    const { source: _b, ...builtIn } = loadConfig({ BLUEPRINT: "fraud" });
    expect(fromFile).toEqual(builtIn);
  });

  test("show takes a file as BLUEPRINT does, and resolves it the same way", () => {
    expect(showBlueprint(out, dir)).toBe(showBlueprint("fraud", dir));
    expect(resolveBlueprint(out)).toEqual(resolveBlueprint("fraud"));
  });

  test("diagram draws a file's blueprint, not the default", () => {
    const edited = text.replace("name: fraud", "name: fraud2");
    const file = join(dir, "fraud2.yaml");
    writeFileSync(file, edited);
    expect(renderDiagram(resolveBlueprint(file))).toBe(renderDiagram(resolveBlueprint("fraud")));
    expect(resolveBlueprint(file).name).toBe("fraud2");
  });
});

describe("blueprint show on stdout", () => {
  test("a file captured from `npm run blueprint -- show x > x.yaml` loads despite npm's banner", () => {
    const file = join(dir, "captured.yaml");
    const banner =
      "\n> fargate-platform@0.1.0 blueprint\n> node scripts/runtime.cjs tsx scripts/blueprint.ts show fraud\n\n";
    writeFileSync(file, banner + showBlueprint("fraud", dir));
    expect(loadConfig({ BLUEPRINT: file }).name).toBe("fraud");
    writeFileSync(file, "> something else\n" + showBlueprint("fraud", dir));
    expect(() => loadConfig({ BLUEPRINT: file })).toThrow(/captured\.yaml is not valid YAML\/JSON/);
  });

  test("drops npm's banner for any package name, only at the very top", () => {
    const yaml = "name: x\n";
    for (const pkg of ["fargate-platform@0.1.0", "my-fork@2.3.4-rc.1", "@acme/platform@1.0.0"])
      expect(withoutNpmBanner(`\n> ${pkg} blueprint\n> tsx scripts/blueprint.ts show x\n\n${yaml}`)).toBe(
        yaml,
      );
    const later = `a: 1\n> my-fork@2.3.4 blueprint\n> cmd\n`;
    expect(withoutNpmBanner(later)).toBe(later);
    expect(withoutNpmBanner(`  > my-fork@2.3.4 blueprint\n> cmd\n${yaml}`)).not.toBe(yaml);
  });

  test("--out, a file argument and the modeline resolve against npm's INIT_CWD, the user's directory", () => {
    expect(userDirectory({ INIT_CWD: dir })).toBe(dir);
    expect(userDirectory({})).toBe(process.cwd());
    const user = mkdtempSync(join(tmpdir(), "blueprint-user-"));
    main(["show", "fraud", "--out", "mine.yaml"], user);
    const written = readFileSync(join(user, "mine.yaml"), "utf8");
    expect(written.split("\n")[0]).toBe(schemaModeline(user));
    main(["show", "mine.yaml", "--out", "again.yaml"], user);
    expect(readFileSync(join(user, "again.yaml"), "utf8")).toBe(written);
  });

  test("the modeline is relative to the current directory", () => {
    expect(main(["show", "trading"], dir).split("\n")[0]).toBe(schemaModeline(dir));
    expect(schemaModeline(resolve(SCHEMA_FILE, ".."))).toBe(
      "# yaml-language-server: $schema=./blueprint.schema.json",
    );
  });

  test("fails for an unknown name that is not a file, naming the built-in ones", () => {
    expect(() => main(["show", "nope"])).toThrow(
      'blueprint "nope" is not built in (trading, orders, fraud, fintech) nor a .yaml/.yml/.json file',
    );
  });

  test("fails for a missing file, naming it", () => {
    expect(() => main(["show", join(dir, "missing.yaml")])).toThrow(
      /BLUEPRINT: file .*missing\.yaml does not exist/,
    );
  });

  test("fails when --out has no file name, or with extra arguments", () => {
    expect(() => main(["show", "fraud", "--out"])).toThrow(/--out: needs a file name/);
    expect(() => main(["show", "fraud", "trading"])).toThrow(
      /usage: npm run blueprint -- list \| show <name> \[--out <file>\]/,
    );
  });
});
