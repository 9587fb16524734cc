/**
 * One switch for token creation stack traces on both runtimes (scripts/creation-stacks.cjs):
 * cdktn reads CDKTN_DISABLE_CREATION_STACK itself; on cdktf, which reads nothing, V8's
 * `Error.prepareStackTrace` formats the traces it captures on plain objects as "". Real errors
 * keep their stack traces, here and in the synth entry.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Lazy } from "cdktf";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cs = require("../../scripts/creation-stacks.cjs") as {
  creationStacksOff: (env?: Record<string, string | undefined>) => boolean;
  withoutCreationStacks: (delegate: () => unknown) => (error: unknown, callSites: unknown[]) => string;
  isTraceHolder: (target: unknown) => boolean;
  switchOffCreationStacks: (errorClass?: unknown, env?: Record<string, string | undefined>) => boolean;
  nodeFormat: (error: Error, callSites: unknown[]) => string;
};
const repo = resolve(__dirname, "../..");

describe("the switch", () => {
  test.each([
    ["1", true],
    ["true", true],
    ["0", false],
    ["false", false],
    [undefined, false],
  ])("CDKTN_DISABLE_CREATION_STACK=%s means off: %s (cdktn's own reading)", (flag, off) => {
    expect(cs.creationStacksOff({ CDKTN_DISABLE_CREATION_STACK: flag })).toBe(off);
  });

  test("formats a plain object's trace as empty and hands Errors to the formatter in place", () => {
    const seen: unknown[] = [];
    const format = cs.withoutCreationStacks(() => (error: unknown) => {
      seen.push(error);
      return "delegated";
    });
    const error = new TypeError("boom");
    expect(format({ stack: "" }, [])).toBe("");
    expect(format(error, [])).toBe("delegated");
    expect(seen).toEqual([error]);
  });

  test("only a plain object without name or message is a framework's trace holder", () => {
    expect(cs.isTraceHolder({ stack: "" })).toBe(true);
    expect(cs.isTraceHolder(new Error("x"))).toBe(false);
    // console.trace captures on { name: "Trace", message }
    expect(cs.isTraceHolder({ name: "Trace", message: "where" })).toBe(false);
    // an old-style error and a DOMException (not a native error on Node 20)
    expect(cs.isTraceHolder(Object.create(Error.prototype))).toBe(false);
    expect(cs.isTraceHolder(new DOMException("gone", "AbortError"))).toBe(false);
    expect(cs.isTraceHolder(Object.create(null))).toBe(false);
    expect(cs.isTraceHolder("text")).toBe(false);
  });

  test("without a formatter in place, Errors get Node's own format", () => {
    const format = cs.withoutCreationStacks(() => undefined);
    const sites = ["f (a.js:1:2)", "g (b.js:3:4)"];
    expect(format(new RangeError("out"), sites)).toBe(
      "RangeError: out\n    at f (a.js:1:2)\n    at g (b.js:3:4)",
    );
    expect(format(new Error("alone"), [])).toBe("Error: alone");
  });

  test("installs nothing when the switch is off, and once however often it is called", () => {
    const fakeError = { prepareStackTrace: undefined as unknown };
    expect(cs.switchOffCreationStacks(fakeError, { CDKTN_DISABLE_CREATION_STACK: "0" })).toBe(false);
    expect(fakeError.prepareStackTrace).toBeUndefined();
    const mine = () => "mine";
    fakeError.prepareStackTrace = mine;
    expect(cs.switchOffCreationStacks(fakeError, { CDKTN_DISABLE_CREATION_STACK: "1" })).toBe(true);
    const installed = fakeError.prepareStackTrace as (e: unknown, s: unknown[]) => string;
    expect(cs.switchOffCreationStacks(fakeError, { CDKTN_DISABLE_CREATION_STACK: "1" })).toBe(true);
    expect(fakeError.prepareStackTrace).toBe(installed);
    expect(installed(new Error("x"), [])).toBe("mine");
    expect(installed({}, [])).toBe("");
  });
});

describe("in the test environment (__tests__/support/environment.cjs)", () => {
  test("a token records no creation stack, on either runtime", () => {
    expect(Lazy.anyValue({ produce: () => "x" }).creationStack).toEqual([]);
  });

  test("an Error keeps Jest's source-mapped stack trace, with this file's TypeScript line", () => {
    const line =
      readFileSync(__filename, "utf8")
        .split("\n")
        .findIndex((l) => l.endsWith("// MARKER-LINE")) + 1;
    const stack = new Error("here").stack ?? ""; // MARKER-LINE
    expect(stack).toContain(`creation-stacks.test.ts:${line}:`);
  });
});

describe("in a plain Node process (the synth entry installs it before the bundle runs)", () => {
  /** Creates a cdktf token and an Error in a fresh node, with or without the switch installed. */
  const probe = (install: boolean, flag: string) => {
    const script = `
      ${install ? `require(${JSON.stringify(join(repo, "scripts/creation-stacks.cjs"))}).switchOffCreationStacks();` : ""}
      const { Lazy } = require("cdktf");
      function where() { return new Error("probe").stack; }
      function OldStyle(message) { const e = Object.create(OldStyle.prototype); e.message = message; Error.captureStackTrace(e, OldStyle); return e; }
      OldStyle.prototype = Object.create(Error.prototype, { name: { value: "OldStyle" } });
      const traced = [];
      const { Console } = require("node:console");
      const { Writable } = require("node:stream");
      new Console(new Writable({ write(chunk, _e, done) { traced.push(String(chunk)); done(); } })).trace("where am I");
      console.log(JSON.stringify({
        creationStack: Lazy.anyValue({ produce: () => 1 }).creationStack.length,
        errorStack: where(),
        oldStyle: OldStyle("old").stack,
        domException: new DOMException("gone", "AbortError").stack,
        trace: traced.join(""),
      }));`;
    const run = spawnSync(process.execPath, ["-e", script], {
      cwd: repo,
      env: { ...process.env, CDKTN_DISABLE_CREATION_STACK: flag },
      encoding: "utf8",
    });
    expect(run.stderr).toBe("");
    return JSON.parse(run.stdout) as {
      creationStack: number;
      errorStack: string;
      oldStyle: string;
      domException: string;
      trace: string;
    };
  };

  test("tokens record no creation stack; an Error's stack is the same as without it", () => {
    const on = probe(true, "1");
    const off = probe(false, "0");
    expect(on.creationStack).toBe(0);
    expect(off.creationStack).toBeGreaterThan(0);
    expect(on.errorStack).toBe(off.errorStack);
    // other traces Node or a library captures keep theirs
    expect(on.oldStyle).toBe(off.oldStyle);
    expect(on.oldStyle).toMatch(/^OldStyle: old\n {4}at /);
    expect(on.domException).toBe(off.domException);
    expect(on.trace).toBe(off.trace);
    expect(on.trace).toMatch(/^Trace: where am I\n {4}at /);
    expect(on.errorStack).toMatch(/^Error: probe\n {4}at where \(\[eval\]:4:/);
  });

  test("CDKTN_DISABLE_CREATION_STACK=0 brings the traces back", () => {
    expect(probe(true, "0").creationStack).toBeGreaterThan(0);
  });
});
