/**
 * What cdktf writes every stack and the manifest with is json-stable-stringify 1.3.0 with
 * `{ space: 2 }`: sorted keys, pretty-printed. Its per-node JavaScript was about a tenth of
 * what an added service costs a synth (npm run bench). The synth entry's bundle gives cdktf
 * this module instead, which writes the same text through the engine's native JSON.stringify:
 *
 * - a copy of the value with every object's keys inserted in sorted order (the order
 *   JSON.stringify then follows), `toJSON` applied as the package applies it;
 * - an empty object or array becomes a marker, replaced afterwards by the package's two-line
 *   form (`{` newline indent `}`), which JSON.stringify writes as `{}`.
 *
 * Anything the copy cannot reproduce exactly (other options, integer-like keys, which
 * JSON.stringify would order first, a NUL in a string, which could collide with a marker,
 * nesting deeper than 1000, i.e. a cycle) is handed to the package itself. `__tests__/scripts/stable-stringify.test.ts`
 * compares both on every blueprint's stacks and on those edge cases.
 *
 * CommonJS, and a factory taking the package: the bundle passes the package it would have
 * used (scripts/synth-entry.mjs), Jest passes it from node_modules.
 */
"use strict";

const INTEGER_KEY = /^(?:0|[1-9][0-9]*)$/;
const MARKER = /"\\u0000([AO])(\d+)"/g;
/** Deeper than any Terraform JSON: a cycle. */
const MAX_DEPTH = 1000;

class Fallback extends Error {}

module.exports = function createStableStringify(original) {
  return function stableStringify(obj, opts) {
    if (opts === undefined || opts === null || typeof opts !== "object") return original(obj, opts);
    const keys = Object.keys(opts);
    if (
      keys.length !== 1 ||
      keys[0] !== "space" ||
      (typeof opts.space !== "number" && typeof opts.space !== "string")
    ) {
      return original(obj, opts);
    }
    const space = typeof opts.space === "number" ? " ".repeat(opts.space) : opts.space;
    if (space === "" || space.trim() !== "") return original(obj, opts);

    /** The sorted copy of `node` at nesting `level`; `undefined` where the package writes nothing. */
    function copy(node, level) {
      if (node && typeof node.toJSON === "function") node = node.toJSON();
      if (node === undefined || typeof node === "function" || typeof node === "symbol") return undefined;
      if (typeof node === "string") {
        if (node.includes("\u0000")) throw new Fallback();
        return node;
      }
      if (typeof node !== "object" || node === null) return node;
      // Copy on write: a list or object already in the package's form is written as it is.
      if (Array.isArray(node)) {
        if (node.length === 0) return `\u0000A${level}`;
        let out;
        for (let i = 0; i < node.length; i++) {
          const item = copy(node[i], level + 1);
          if (out === undefined && (item !== node[i] || item === undefined)) out = node.slice(0, i);
          if (out !== undefined) out.push(item === undefined ? null : item);
        }
        return out ?? node;
      }
      // A cycle would recurse forever here: past any real depth, let the package report it.
      if (level > MAX_DEPTH) throw new Fallback();
      const keys = Object.keys(node);
      let sorted = true;
      for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1] < keys[i];
      if (!sorted) keys.sort();
      // Keys out of order: JSON.stringify follows insertion order, so the object is rebuilt.
      let out = sorted ? undefined : {};
      let written = 0;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i];
        const first = key.charCodeAt(0);
        if ((first >= 48 && first <= 57 && INTEGER_KEY.test(key)) || key.includes("\u0000"))
          throw new Fallback();
        const value = copy(node[key], level + 1);
        if (out === undefined && (value !== node[key] || value === undefined)) {
          out = {};
          for (let j = 0; j < i; j++) out[keys[j]] = node[keys[j]];
        }
        if (value === undefined) continue;
        if (out !== undefined) out[key] = value;
        written++;
      }
      return written === 0 ? `\u0000O${level}` : (out ?? node);
    }

    let sorted;
    try {
      sorted = copy(obj, 0);
    } catch (error) {
      if (error instanceof Fallback) return original(obj, opts);
      throw error;
    }
    if (sorted === undefined) return undefined;
    return JSON.stringify(sorted, null, space).replace(MARKER, (_, kind, level) => {
      const indent = `\n${space.repeat(Number(level))}`;
      return kind === "A" ? `[${indent}]` : `{${indent}}`;
    });
  };
};
