/**
 * One switch for token creation stack traces on both runtimes: CDKTN_DISABLE_CREATION_STACK
 * ("1" or "true" = off; the synth entry, Jest and scripts/runtime.cjs default it to "1").
 *
 * Both frameworks record a full stack trace for every token they create, and print it only when
 * that token fails to resolve. cdktn reads the variable itself and captures nothing. cdktf 0.21
 * reads no setting: every token calls `Error.captureStackTrace` on a plain object and reads its
 * `stack` at once, and formatting those call sites is most of what a large synth costs on cdktf
 * (and, under Jest, whose formatter source-maps every frame, most of a synth-heavy test file).
 *
 * V8's public stack trace API (https://v8.dev/docs/stack-trace-api) decides how a captured trace
 * is formatted: `Error.prepareStackTrace`. `withoutCreationStacks` formats the trace of a plain
 * object without name or message (how cdktf and constructs capture one) as "" (the framework then
 * records an empty creation stack, exactly as cdktn does with its switch) and hands everything
 * else (Errors, old-style errors, DOMExceptions, `console.trace`) to the formatter that was in
 * place, or Node's own format, so those messages and stack traces are unchanged. No framework code
 * is touched. A failing token resolution still throws with its message; only the "created at"
 * trace is missing, as on cdktn. Set CDKTN_DISABLE_CREATION_STACK=0 to get it back.
 */
const { types } = require("node:util");

/** Whether creation stack traces are off in this environment (cdktn's own reading of the flag). */
function creationStacksOff(env = process.env) {
  const flag = env.CDKTN_DISABLE_CREATION_STACK;
  return flag === "1" || flag === "true";
}

/**
 * Node's format when no formatter is installed and source maps are off (lib/internal/errors.js).
 * Node 20.20 and 22 expose their default as `Error.prepareStackTrace`, so this serves a realm
 * without one (a test realm) and older Node 20 releases.
 */
function nodeFormat(error, callSites) {
  const head = Error.prototype.toString.call(error);
  return callSites.length === 0 ? head : `${head}\n    at ${callSites.join("\n    at ")}`;
}

const INSTALLED = Symbol.for("fargate-platform.withoutCreationStacks");

/**
 * Whether `target` is a trace holder as the frameworks make them: a plain object (`{ stack: "" }`,
 * from any realm) with no `name` or `message`. Everything else keeps its trace: Errors, old-style
 * errors (`Object.create(Error.prototype)`), DOMExceptions, `console.trace`'s `{ name, message }`.
 */
function isTraceHolder(target) {
  if (target === null || typeof target !== "object" || types.isNativeError(target)) return false;
  const proto = Object.getPrototypeOf(target);
  return (
    proto !== null && Object.getPrototypeOf(proto) === null && !("name" in target) && !("message" in target)
  );
}

/**
 * A `prepareStackTrace` that formats a trace holder's trace as "" and everything else with
 * `delegate()` (read at format time: a test runner installs its formatter after we do), or with
 * Node's format when there is none.
 */
function withoutCreationStacks(delegate) {
  function prepareStackTrace(error, callSites) {
    if (isTraceHolder(error)) return "";
    const previous = delegate();
    return typeof previous === "function" && previous !== prepareStackTrace
      ? previous(error, callSites)
      : nodeFormat(error, callSites);
  }
  prepareStackTrace[INSTALLED] = true;
  return prepareStackTrace;
}

/**
 * Installs the formatter on `ErrorClass` (this realm's Error by default) when creation stacks
 * are off. Errors keep the formatter that was installed before; on Node 20 with source maps on
 * and none installed, Node's source-mapping formatter cannot be reached, so nothing is installed
 * and traces stay on. Installing twice keeps the first. Returns whether it is installed.
 */
function switchOffCreationStacks(ErrorClass = Error, env = process.env) {
  if (!creationStacksOff(env)) return false;
  const previous = ErrorClass.prepareStackTrace;
  if (previous?.[INSTALLED]) return true;
  if (typeof previous !== "function" && process.sourceMapsEnabled) return false;
  ErrorClass.prepareStackTrace = withoutCreationStacks(() => previous);
  return true;
}

module.exports = {
  creationStacksOff,
  isTraceHolder,
  withoutCreationStacks,
  switchOffCreationStacks,
  nodeFormat,
};
