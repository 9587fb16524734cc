import {
  DefaultTokenResolver,
  StringConcat,
  Token,
  type IPostProcessor,
  type IResolvable,
  type IResolveContext,
  type ITokenResolver,
} from "cdktf";
import { resolve as cdktfResolveExport } from "cdktf/lib/tokens/private/resolve";
import { extractTokenDouble as extractTokenDoubleExport } from "cdktf/lib/tokens/private/encoding";
import { TokenMap } from "cdktf/lib/tokens/private/token-map";
import type { IConstruct } from "constructs";

// cdktf's functions and constants, read once: a bundled import is a property getter, and the
// walk below reaches them for every key and string of a stack.
const cdktfResolve = cdktfResolveExport;
const extractTokenDouble = extractTokenDoubleExport;
const { STRING_MAP_TOKEN_VALUE, ANY_MAP_TOKEN_VALUE, NUMBER_MAP_TOKEN_VALUE } = Token;
/** cdktf's `Tokenization.isResolvable` (tokens/token.js): an object with a `resolve` method. */
const isResolvable = (x: unknown): boolean =>
  typeof x === "object" && x !== null && typeof (x as { resolve?: unknown }).resolve === "function";
const stringTokens = (): Map<string, IResolvable> =>
  (TokenMap.instance() as unknown as { stringTokenMap: Map<string, IResolvable> }).stringTokenMap;

export interface FastResolveOptions {
  readonly scope: IConstruct;
  readonly preparing: boolean;
  readonly resolver: ITokenResolver;
  readonly memo?: Map<string, unknown>;
}

/** Every cdktf token marker (string `${`, list `#{`, map `&{`) contains this. */
const TOKEN_MARKER = "{TfToken[";
/** cdktf's list token marker (tokens/private/encoding.js BEGIN_LIST_TOKEN_MARKER). */
const LIST_TOKEN_MARKER = "#{TfToken[";
/**
 * Whether cdktf's concatenated-number-token pattern (tokens/private/encoding.js
 * NUMBER_TOKEN_REGEX, `[-|\d|.\+]+(e[-|\d|.|e|E|\+]+)`) occurs in a string: it does exactly
 * when an `e` has one of `-|0-9.+` before it and one of `-|0-9.eE+` after it.
 */
const NUMBER_TOKEN = /[-|\d.+]e[-|\d.eE+]/;
/** cdktf's depth limit against cyclic structures (tokens/private/resolve.js). */
const MAX_DEPTH = 200;
/**
 * cdktf encodes number tokens as doubles with a marker in their top 16 bits (0xfdff for a
 * number, 0xfbff for a list: exponents 2015 and 1983), so every token has a magnitude of at
 * least 2^(1983-1023) = 2^960 (about 1e289). No number below that can be one.
 */
const SMALLEST_TOKEN_MAGNITUDE = 2 ** 960;

/**
 * Resolves `value` as cdktf's `Tokenization.resolve` does, with the same result, but walks
 * token-free data itself and hands cdktf only the parts that hold a token.
 *
 * cdktf's resolver allocates a context, two closures, a post-processor and a copy of the key
 * path for every key and value it visits, tokens or not, and runs three regular expressions
 * over every string; most of a resource's attributes are plain literals. Here a string is
 * returned as it is when it holds no token marker and nothing that looks like a stringified
 * number token (the only strings cdktf's resolver would rewrite), a number when it is not an
 * encoded token; a list or plain object comes back as it is when nothing in it changes, and
 * otherwise as a copy with `undefined` dropped, as cdktf's. Anything else — a token object, a string or number token, a list or map token,
 * a string map value, a construct, a function, or a path deeper than cdktf's limit — is
 * resolved by cdktf's own `resolve` with the same key path, so its output and its error
 * messages are cdktf's. No context is lost by starting a delegated resolution afresh: until a
 * token is met, every context cdktf would pass down carries no flag.
 */
export function fastResolve(value: unknown, options: FastResolveOptions, prefix: string[] = []): unknown {
  // One key path, pushed and popped as the walk goes: copied only when cdktf takes over.
  const path = [...prefix];

  const walk = (v: unknown): unknown => {
    if (v === undefined || v === null) return v;
    if (path.length > MAX_DEPTH) return delegate(v, options, [...path]);
    switch (typeof v) {
      case "string":
        return isPlainString(v) ? v : delegate(v, options, [...path]);
      case "number":
        return isPlainNumber(v) ? v : delegate(v, options, [...path]);
      case "object":
        break;
      case "function":
        return delegate(v, options, [...path]);
      default:
        return v;
    }
    if (v instanceof Date) return v;
    if (Array.isArray(v)) {
      // cdktf resolves a list holding a list token (string or number) as a whole.
      if (v.some(isListTokenElement)) return delegate(v, options, [...path]);
      // Copy on write: a list whose items all come back unchanged is returned as it is.
      let out: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        path.push(`${i}`);
        const item = walk(v[i]);
        path.pop();
        if (out === undefined && (item !== v[i] || item === undefined)) out = v.slice(0, i);
        if (out !== undefined && item !== undefined) out.push(item);
      }
      return out ?? v;
    }
    const record = v as Record<string, unknown>;
    const keys = Object.keys(record);
    const plainKeys = keys.every(isPlainKey);
    if (isResolvable(record) && !isConstruct(record) && plainKeys) {
      return resolveTokenObject(record as unknown as IResolvable, options, [...path]);
    }
    // A map token (a key with a marker) or a construct: cdktf's own path.
    if (isResolvable(record) || isConstruct(record) || !plainKeys) {
      return delegate(v, options, [...path]);
    }
    // Copy on write, as for lists; an object of another class than Object is always copied
    // (cdktf's copy is a plain object).
    const proto: unknown = Object.getPrototypeOf(record);
    let out: Record<string, unknown> | undefined =
      proto === Object.prototype || proto === null ? undefined : {};
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k];
      path.push(key);
      const item = walk(record[key]);
      path.pop();
      if (out === undefined && (item !== record[key] || item === undefined)) {
        out = {};
        for (let j = 0; j < k; j++) out[keys[j]] = record[keys[j]];
      }
      if (out !== undefined && item !== undefined) out[key] = item;
    }
    return out ?? record;
  };

  return walk(value);
}

function isPlainString(s: string): boolean {
  return (
    !s.includes(TOKEN_MARKER) &&
    s !== STRING_MAP_TOKEN_VALUE &&
    s !== ANY_MAP_TOKEN_VALUE &&
    !NUMBER_TOKEN.test(s)
  );
}

/** Keys repeat across a stack (attribute names): each is checked once. */
const plainKeyCache = new Map<string, boolean>();

function isPlainKey(key: string): boolean {
  let plain = plainKeyCache.get(key);
  if (plain === undefined) {
    plain = isPlainString(key);
    // Bounded: generated keys (logical IDs, tag values) would otherwise grow it without end.
    if (plainKeyCache.size < 100_000) plainKeyCache.set(key, plain);
  }
  return plain;
}

function isPlainNumber(n: number): boolean {
  if (n === NUMBER_MAP_TOKEN_VALUE) return false;
  return Math.abs(n) < SMALLEST_TOKEN_MAGNITUDE || extractTokenDouble(n, false) === undefined;
}

function isListTokenElement(x: unknown): boolean {
  if (typeof x === "string") return x.includes(LIST_TOKEN_MARKER);
  if (typeof x === "number")
    return Math.abs(x) >= SMALLEST_TOKEN_MAGNITUDE && extractTokenDouble(x, true) !== undefined;
  return false;
}

/** cdktf's construct check in its resolver (tokens/private/resolve.js `isConstruct`). */
function isConstruct(x: Record<string, unknown>): boolean {
  return x._children !== undefined && x._metadata !== undefined;
}

function delegate(value: unknown, options: FastResolveOptions, prefix: string[]): unknown {
  if (typeof value !== "string") return cdktfResolve(value, { ...options, prefix });
  // The same string resolves the same way throughout one pass (see PassTokenResolver); as
  // there, only a scalar result is kept, so no two places in the output share an object.
  if (options.memo?.has(value)) return options.memo.get(value);
  const resolved = LONE_TOKEN.test(value)
    ? resolveLoneToken(value, options, prefix)
    : substitutesTokens(value)
      ? substituteTokens(value, options, prefix)
      : cdktfResolve(value, { ...options, prefix });
  if (options.memo !== undefined && (resolved === null || typeof resolved !== "object"))
    options.memo.set(value, resolved);
  return resolved;
}

/** A string that is one token marker and nothing else; group 1 is the token's key. */
const LONE_TOKEN = /^\$\{TfToken\[([a-zA-Z0-9:._-]+)\]\}$/;

/**
 * cdktf's resolution of a string that is one token marker: the token resolved in a string
 * context that carries no flag, then cdktf's pass for stringified number tokens. cdktf gets
 * there through a split, a fragment list, a mapping and a join; most token strings in a stack
 * (references to other resources' attributes) are of this kind. A token that resolves to
 * anything but a string, or a key cdktf does not know, goes through cdktf's own path.
 */
function resolveLoneToken(s: string, options: FastResolveOptions, prefix: string[]): unknown {
  const token = stringToken(LONE_TOKEN.exec(s)![1]);
  if (token !== undefined) {
    const value: unknown = resolveTokenObject(token, options, prefix);
    if (typeof value === "string")
      return NUMBER_TOKEN.test(value) ? cdktfResolve(value, { ...options, prefix }) : value;
  }
  return cdktfResolve(s, { ...options, prefix });
}

/**
 * cdktf's resolution of a token object met at the top of a resolution (tokens/private/resolve.js,
 * its "tokens" branch with `makeContext()`): a context that carries no flag and the same key
 * path, the resolver's `resolveToken`, and the post-processor the token may register. cdktf
 * first tests the object's keys for map-token markers, twice; a token object has none.
 */
function resolveTokenObject(token: IResolvable, options: FastResolveOptions, prefix: string[]): unknown {
  if (prefix.length > MAX_DEPTH) return cdktfResolve(token, { ...options, prefix });
  let postProcessor: IPostProcessor | undefined;
  const context: IResolveContext = {
    preparing: options.preparing,
    scope: options.scope,
    suppressBraces: undefined,
    ignoreEscapes: undefined,
    warnEscapes: undefined,
    iteratorContext: undefined,
    registerPostProcessor(pp: IPostProcessor) {
      postProcessor = pp;
    },
    resolve(x: unknown): unknown {
      return cdktfResolve(x, { ...options, prefix, previousContext: context });
    },
  };
  return options.resolver.resolveToken(token, context, {
    postProcess: (x: unknown) => (postProcessor ? postProcessor.postProcess(x, context) : x),
  });
}

/** The token registered under a string marker's key, if cdktf knows it. */
function stringToken(key: string): IResolvable | undefined {
  return stringTokens().get(key);
}

/** cdktf's string token marker (tokens/private/encoding.js STRING_TOKEN_REGEX). */
const STRING_TOKEN = /\$\{TfToken\[([a-zA-Z0-9:._-]+)\]\}/g;
/** The same, for a single search (no `g`: no lastIndex shared between calls). */
const LONE_STRING_TOKEN = /\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}/;
/** A `${` that does not open a token: a Terraform escape (encoding.js ESCAPE_TOKEN_BEGIN_REGEX). */
const ESCAPE_BEGIN = /\$\{(?!TfToken\[)/;

/**
 * Whether a string with tokens can be resolved by substituting each token marker in place:
 * it holds no Terraform escape (`${` other than a token marker), no list token (cdktf rejects
 * those in a string), and is not a lone marker (cdktf returns a lone token's value as it is,
 * not as text). Then cdktf's split yields only literals, tokens and `}` closing no escape,
 * which change nothing: its result is the literals and the tokens' values concatenated.
 */
function substitutesTokens(s: string): boolean {
  if (ESCAPE_BEGIN.test(s) || s.includes(LIST_TOKEN_MARKER)) return false;
  const first = LONE_STRING_TOKEN.exec(s);
  return first !== null && first[0].length !== s.length;
}

/**
 * cdktf's resolution of such a string, in one pass over its markers: each marker resolved on
 * its own (as cdktf resolves each token fragment, with the same context), the values joined as
 * cdktf's StringConcat joins them (`undefined` adds nothing), then cdktf's own pass for
 * stringified number tokens over the result. Long JSON strings (dashboard bodies, policies,
 * container definitions) hold thousands of `}` and few tokens: cdktf's split makes a fragment
 * of each `}`.
 */
function substituteTokens(s: string, options: FastResolveOptions, prefix: string[]): unknown {
  let out = "";
  let last = 0;
  for (const match of s.matchAll(STRING_TOKEN)) {
    out += s.slice(last, match.index);
    const token = stringToken(match[1]);
    const value: unknown = token === undefined ? null : resolveTokenObject(token, options, prefix);
    // An unknown key (cdktf's error) or a value that is not text: cdktf's own path for all of it.
    if (value !== undefined && typeof value !== "string") return cdktfResolve(s, { ...options, prefix });
    if (value !== undefined) out += value;
    last = match.index + match[0].length;
  }
  out += s.slice(last);
  return NUMBER_TOKEN.test(out) ? cdktfResolve(out, { ...options, prefix }) : out;
}

/**
 * cdktf's default token resolver, remembering what each token resolved to in one pass over
 * one stack. A token used in many places (a role ARN, a cluster name, a cross-stack output a
 * dashboard cites a thousand times) is resolved once; a cross-stack reference creates new
 * tokens (the remote-state lookup) every time it is resolved, so this matters most there.
 *
 * Only strings, numbers and booleans are remembered (a list or map result is resolved afresh,
 * so no two places in the output share an object), keyed by the token and by every context
 * flag that can change a resolution (preparing, suppressBraces, ignoreEscapes, warnEscapes,
 * iteratorContext); the scope is the stack for the whole pass. A token's resolution has no
 * other input: cross-stack references register themselves on their first resolution and
 * return the same identifier after that.
 */
export class PassTokenResolver extends DefaultTokenResolver {
  private readonly resolved = new Map<IResolvable, Map<string, unknown>>();

  constructor() {
    super(new StringConcat());
  }

  public override resolveToken(
    t: IResolvable,
    context: IResolveContext,
    postProcessor: IPostProcessor,
  ): unknown {
    const key = `${context.preparing}|${context.suppressBraces}|${context.ignoreEscapes}|${context.warnEscapes}|${context.iteratorContext}`;
    let byContext = this.resolved.get(t);
    if (byContext?.has(key)) return byContext.get(key);
    const value = resolveToken(t, context, postProcessor);
    if (value === null || typeof value !== "object") {
      if (byContext === undefined) {
        byContext = new Map();
        this.resolved.set(t, byContext);
      }
      byContext.set(key, value);
    }
    return value;
  }
}

/**
 * cdktf 0.21.0 `DefaultTokenResolver.resolveToken` (tokens/resolvable.js): the token's value,
 * resolved again, then post-processed, with cdktf's error message on failure. The second
 * resolution is skipped when the value is a plain string, which it would return unchanged
 * (see fastResolve): most tokens are references that resolve to `${aws_x.y.attr}`.
 */
function resolveToken(t: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): unknown {
  try {
    let resolved: unknown = t.resolve(context);
    if (!(typeof resolved === "string" && isPlainString(resolved))) resolved = context.resolve(resolved);
    return postProcessor.postProcess(resolved, context);
  } catch (e) {
    const err = e as Error;
    let message = `Resolution error: ${err.message}.`;
    if (t.creationStack && t.creationStack.length > 0) {
      message += `\nObject creation stack:\n  at ${t.creationStack.join("\n  at ")}`;
    }
    err.message = message;
    throw err;
  }
}
