/**
 * Grouped tests (docs/decisions.md, "Test files grouped per area"): a `*.cases.ts` file runs only
 * when a `*.test.ts` imports it. Each entry file asserts that no cases file under its directory
 * is left out, so a new cases file cannot silently never run.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const TESTS = resolve(__dirname, "..");
const ROOT = resolve(TESTS, "..");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** Cases files under `dir` that no `*.test.ts` under __tests__ imports, relative to the repository. */
export function orphanCases(dir: string): string[] {
  const imported = new Set<string>();
  for (const file of filesUnder(TESTS).filter((f) => f.endsWith(".test.ts")))
    for (const m of readFileSync(file, "utf8").matchAll(/^import "(\.[^"]+\.cases)";$/gm))
      imported.add(resolve(dirname(file), `${m[1]}.ts`));
  return filesUnder(dir)
    .filter((f) => f.endsWith(".cases.ts") && !imported.has(f))
    .map((f) => relative(ROOT, f))
    .sort();
}

/** The entry file's own test: every cases file under `dir` is imported by some test file. */
export function expectNoOrphanCases(dir: string): void {
  test(`every *.cases.ts under ${relative(ROOT, dir)} is imported by a test file`, () => {
    expect(orphanCases(dir)).toEqual([]);
  });
}
