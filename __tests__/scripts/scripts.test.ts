/**
 * The tests of the scripts that mock no AWS SDK client class and run no CLI, as one Jest test file: Jest loads and compiles every module a test file
 * imports once per test file, about 0.45 s for the platform's modules, so the cases files
 * (*.cases.ts, each a describe of its own) share one load. docs/decisions.md, "Test files
 * grouped per area". Run one of them with `npx jest __tests__/scripts/scripts.test.ts -t "<describe>"`.
 */
import "./bench.cases";
import "./blueprint-descriptions.cases";
import "./blueprint-docs.cases";
import "./blueprint.cases";
import "./diagram.cases";
import "./diff-cost.cases";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { expectNoOrphanCases, orphanCases } from "../support/cases";

expectNoOrphanCases(__dirname);

test("a cases file that no test file imports is reported", () => {
  const dir = mkdtempSync(join(tmpdir(), "orphans-"));
  try {
    writeFileSync(join(dir, "forgotten.cases.ts"), "");
    expect(orphanCases(dir)).toEqual([`${relative(join(__dirname, "..", ".."), dir)}/forgotten.cases.ts`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
