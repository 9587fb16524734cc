/**
 * The synth entry's bundle writes stacks through scripts/synth-entry/stable-stringify.cjs
 * instead of cdktf's json-stable-stringify: the text must be the package's, byte for byte.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { allKinds } from "../support/blueprints";
import { configFor, configFrom, synthApp } from "../support/synth";

type Stringify = (value: unknown, opts?: unknown) => string | undefined;

// The package cdktf itself resolves (it is cdktf's dependency, not ours).
const cdktfRequire = createRequire(require.resolve("cdktf"));
const original = cdktfRequire("json-stable-stringify") as Stringify;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const createStableStringify = require(join(__dirname, "../../scripts/synth-entry/stable-stringify.cjs")) as (
  pkg: Stringify,
) => Stringify;
const ours = createStableStringify(original);

describe("the synth entry's stable stringify", () => {
  test.each([
    ["trading", () => configFor("trading")],
    ["fintech", () => configFor("fintech")],
    ["allkinds", () => configFrom(allKinds)],
  ])("writes every stack of %s exactly as json-stable-stringify does", (_name, config) => {
    const { stacks } = synthApp(config());
    for (const [id, json] of Object.entries(stacks)) {
      expect({ id, text: ours(json, { space: 2 }) }).toEqual({ id, text: original(json, { space: 2 }) });
    }
  });

  const cycle: Record<string, unknown> = { a: 1 };
  cycle.self = cycle;
  const cases: [string, unknown, unknown][] = [
    ["empty object and array at several depths", { a: [], b: {}, c: { d: {}, e: [[]] } }, { space: 2 }],
    ["empty root object", {}, { space: 2 }],
    [
      "sorted keys with an empty list and an undefined inside",
      { a: { b: [], c: undefined }, d: [undefined, 1] },
      { space: 2 },
    ],
    ["a sorted object under an unsorted one", { z: { a: 1, b: [1, 2] }, a: { x: {} } }, { space: 2 }],
    [
      "undefined, functions and toJSON",
      { b: undefined, a: [1, undefined, () => 1, { toJSON: () => "j" }], d: new Date(0) },
      { space: 2 },
    ],
    ["an object whose only value is undefined", { a: { b: undefined } }, { space: 2 }],
    ["keys in code-unit order", { b: 1, B: 2, a: 3, é: 4, _: 5 }, { space: 2 }],
    ["integer-like keys (the package's order, not JSON.stringify's)", { 10: 1, 9: 2, a: 3 }, { space: 2 }],
    ["a NUL character in a string", { a: "x\u0000y", b: {} }, { space: 2 }],
    ["escapes and numbers", { s: 'q"\\\n\t', n: [1.5e300, -0, 0.1] }, { space: 2 }],
    ["a tab as space", { a: { b: [1] } }, { space: "\t" }],
    ["no options", { b: [1, {}], a: "x" }, undefined],
    ["another option", { b: 1, a: 2 }, { space: 2, cycles: true }],
    ["a primitive root", "text", { space: 2 }],
    ["undefined root", undefined, { space: 2 }],
  ];

  test.each(cases)("matches the package on %s", (_name, value, opts) => {
    expect(ours(value, opts)).toBe(original(value, opts));
  });

  test("reports a cycle as the package does", () => {
    expect(() => original(cycle, { space: 2 })).toThrow("Converting circular structure to JSON");
    expect(() => ours(cycle, { space: 2 })).toThrow("Converting circular structure to JSON");
  });
});
