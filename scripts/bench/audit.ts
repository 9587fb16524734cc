/**
 * Static checks behind two speed levers: no import of the provider package root (it loads every
 * AWS resource class: seconds and hundreds of MiB per process), and tests that share one
 * synthesis per describe instead of synthesizing inside each test.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const PROVIDER_ROOT = "@cdktf/provider-aws";

/** Module specifiers of every import/require in a TypeScript source. */
export function importedModules(source: string): string[] {
  const specifiers: string[] = [];
  const file = ts.createSourceFile("x.ts", source, ts.ScriptTarget.ES2022, false);
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === "require")) &&
      node.arguments.length === 1 &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      specifiers.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return specifiers;
}

export function importsProviderRoot(source: string): boolean {
  // Parsing is the slow part; most files cannot match at all.
  if (!source.includes(`${PROVIDER_ROOT}"`) && !source.includes(`${PROVIDER_ROOT}'`)) return false;
  return importedModules(source).includes(PROVIDER_ROOT);
}

/** Provider modules (`@cdktf/provider-aws/lib/<resource>`) a source imports. */
export function providerModules(source: string): string[] {
  return importedModules(source).filter((m) => m.startsWith(`${PROVIDER_ROOT}/`));
}

/** Every .ts/.mjs/.js file below the given roots, skipping node_modules and outputs. */
export function sourceFiles(roots: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    if (/(^|\/)(node_modules|cdktf\.out|coverage|dist|\.gen)$/.test(path)) return;
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) walk(join(path, entry));
    } else if (/\.(ts|mjs|js)$/.test(path)) {
      out.push(path);
    }
  };
  for (const root of roots) walk(root);
  return out;
}

export interface TestFileAudit {
  readonly file: string;
  /** test()/it() calls (a test.each table counts once). */
  readonly tests: number;
  /** Synthesis outside test bodies (module scope, describe scope, beforeAll): shared by tests. */
  readonly sharedSynths: number;
  /** Synthesis inside a test body, not in an `expect(() => ...)` thunk (a "fails when" case has to synthesize). */
  readonly perTestSynths: number;
  /** Whether the file synthesizes whole apps (synthApp) rather than one construct scope. */
  readonly synthesizesApps: boolean;
}

/** Calls that synthesize: cdktf's Testing helpers and the project's helpers around them. */
const SYNTH_FUNCTIONS = new Set(["synthApp", "synthScope", "synth", "fullSynth", "synthStack"]);
const TEST_FUNCTIONS = new Set(["test", "it"]);

function calleeName(expr: ts.Expression): string | undefined {
  if (ts.isIdentifier(expr)) return expr.text;
  if (ts.isPropertyAccessExpression(expr)) return expr.name.text;
  return undefined;
}

function isTestCall(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return TEST_FUNCTIONS.has(callee.text);
  // test.only(...), test.skip(...)
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression))
    return TEST_FUNCTIONS.has(callee.expression.text) && callee.name.text !== "each";
  // test.each(table)(name, fn)
  return ts.isCallExpression(callee) && calleeName(callee.expression) === "each" && isEachOfTest(callee);
}

function isEachOfTest(call: ts.CallExpression): boolean {
  const callee = call.expression;
  return (
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) &&
    TEST_FUNCTIONS.has(callee.expression.text)
  );
}

/**
 * Counts where a test file synthesizes. Heuristic but conservative: a module-level function
 * that synthesizes counts as a synthesis wherever it is called.
 */
export function auditTestSource(file: string, source: string): TestFileAudit {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true);
  const helpers = new Set(SYNTH_FUNCTIONS);
  // Module-level helpers whose body synthesizes (const build = () => synthScope(...)).
  for (const statement of sf.statements) {
    const declared: [string, ts.Node][] = [];
    if (ts.isFunctionDeclaration(statement) && statement.name)
      declared.push([statement.name.text, statement]);
    if (ts.isVariableStatement(statement)) {
      for (const d of statement.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer && ts.isArrowFunction(d.initializer))
          declared.push([d.name.text, d.initializer]);
      }
    }
    for (const [name, node] of declared) if (containsSynthCall(node, SYNTH_FUNCTIONS)) helpers.add(name);
  }

  let tests = 0;
  let synthesizesApps = false;
  let sharedSynths = 0;
  let perTestSynths = 0;
  const visit = (node: ts.Node, inTest: boolean, inExpect: boolean, inHelper: boolean): void => {
    let childInTest = inTest;
    let childInHelper = inHelper;
    if (!inTest && !inHelper && isHelperDeclaration(node, helpers, sf)) childInHelper = true;
    if (ts.isCallExpression(node)) {
      const name = calleeName(node.expression);
      if (isTestCall(node)) {
        tests++;
        childInTest = true;
      } else if (name === "expect") {
        // expect(() => build(...)).toThrow(...): a failure case has to synthesize on its own.
        for (const arg of node.arguments) {
          const isThunk = ts.isArrowFunction(arg) || ts.isFunctionExpression(arg);
          visit(arg, childInTest, inExpect || isThunk, childInHelper);
        }
        visit(node.expression, childInTest, inExpect, childInHelper);
        return;
      } else if (name !== undefined && helpers.has(name) && !inExpect && !inHelper) {
        if (name === "synthApp") synthesizesApps = true;
        if (inTest) perTestSynths++;
        else sharedSynths++;
      }
    }
    ts.forEachChild(node, (child) => visit(child, childInTest, inExpect, childInHelper));
  };
  visit(sf, false, false, false);
  return { file, tests, sharedSynths, perTestSynths, synthesizesApps };
}

function containsSynthCall(node: ts.Node, names: ReadonlySet<string>): boolean {
  let found = false;
  const visit = (n: ts.Node) => {
    if (ts.isCallExpression(n)) {
      const name = calleeName(n.expression);
      if (name !== undefined && names.has(name)) found = true;
    }
    if (!found) ts.forEachChild(n, visit);
  };
  ts.forEachChild(node, visit);
  return found;
}

/** The body of a module-level synth helper: calls inside it are counted where the helper is called. */
function isHelperDeclaration(node: ts.Node, helpers: ReadonlySet<string>, sf: ts.SourceFile): boolean {
  if (!node.parent) return false;
  if (
    node.parent !== sf &&
    !(ts.isVariableDeclaration(node.parent) && node.parent.parent.parent.parent === sf)
  )
    return false;
  if (ts.isFunctionDeclaration(node)) return node.name !== undefined && helpers.has(node.name.text);
  return (
    ts.isArrowFunction(node) &&
    ts.isVariableDeclaration(node.parent) &&
    ts.isIdentifier(node.parent.name) &&
    helpers.has(node.parent.name.text)
  );
}

export function auditTestFiles(root = "__tests__"): TestFileAudit[] {
  return sourceFiles([root])
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => auditTestSource(f, readFileSync(f, "utf8")));
}
