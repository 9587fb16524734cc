/**
 * Linear-time replacements for three methods of cdktf 0.21.0's token string scanner, with
 * the same results. cdktf splits every string that holds a token into literals, tokens and
 * Terraform escapes (`${`, `}`); three steps of that are quadratic in a long string:
 *
 * - `TokenString.tokenizeNext` searches for the next token marker from each position it
 *   stops at, and it stops at every `}`: a JSON document with few tokens and thousands of
 *   `}` (a dashboard body, a container definition, an IAM policy) is scanned once per `}`.
 * - `TokenString.nextEscapeToken` searches, at each of those stops, for the next `${` that
 *   opens an escape, to the end of the string when there is none.
 * - `TokenizedStringFragments.join` concatenates the fragments pairwise with
 *   `Array.splice(0, 2)` on the front of the list, moving every other fragment each time.
 *
 * The searches here remember their last answer: a later search from a start between that
 * search's start and its match has the same answer (the patterns have no look-behind or
 * anchor), so the scan of a string costs one pass. The join folds left to right as cdktf's
 * does, so the concatenator sees the same calls in the same order.
 *
 * They are installed once, and only on the cdktf release they mirror (see resolve-once.ts);
 * `__tests__/stacks/resolve-once.test.ts` checks the written files are byte for byte those of
 * cdktf's own synthesis.
 */
import { TokenString } from "cdktf/lib/tokens/private/encoding";
import { TokenizedStringFragments, type IFragmentConcatenator, type IResolvable } from "cdktf";
import { version as cdktfVersion } from "cdktf/package.json";

/** The cdktf release whose methods are mirrored here and in resolve-once.ts. */
export const MIRRORED_CDKTF_VERSION = "0.21.0";

/** cdktf's escape markers (tokens/private/encoding.js): `${` that does not open a token, and `}`. */
const ESCAPE_BEGIN = /\$\{(?!TfToken\[)/g;
const ESCAPE_END = /\}/g;

/** The first match of a pattern at or after `from`: its start, end and group (start -1: none). */
interface Found {
  from: number;
  at: number;
  end: number;
  group: string;
}

/** The fields of cdktf's TokenString this file reads, plus its memos. */
interface Scanner {
  readonly str: string;
  readonly re: RegExp;
  readonly regexMatchIndex: number;
  readonly includeEscapeSequences: boolean;
  tokenMemo?: Found;
  escapeBeginMemo?: Found;
  escapeEndMemo?: Found;
  nextEscapeToken(
    fragments: TokenizedStringFragments,
    startIndex: number,
    escapeDepth: number,
    maxIndex: number,
  ): Step;
}

interface Step {
  index: number;
  escapeDepth: number;
}

type MemoKey = "tokenMemo" | "escapeBeginMemo" | "escapeEndMemo";

function firstMatch(scanner: Scanner, re: RegExp, key: MemoKey, start: number, group: number): Found {
  const memo = scanner[key];
  if (memo !== undefined && memo.from <= start && (memo.at === -1 || start <= memo.at)) return memo;
  re.lastIndex = start;
  const match = re.exec(scanner.str);
  const found: Found =
    match === null
      ? { from: start, at: -1, end: -1, group: "" }
      : { from: start, at: match.index, end: re.lastIndex, group: match[group] };
  scanner[key] = found;
  return found;
}

/** cdktf 0.21.0 `TokenString.nextEscapeToken`, with memoized searches. */
function nextEscapeToken(
  this: Scanner,
  fragments: TokenizedStringFragments,
  startIndex: number,
  escapeDepth: number,
  maxIndex: number,
): Step {
  const beginAt = firstMatch(this, ESCAPE_BEGIN, "escapeBeginMemo", startIndex, 0).at;
  const endAt = firstMatch(this, ESCAPE_END, "escapeEndMemo", startIndex, 0).at;
  const begin = beginAt !== -1 && beginAt < maxIndex ? beginAt : -1;
  const end = endAt !== -1 && endAt < maxIndex ? endAt : -1;
  if (begin === -1 && end === -1) return { index: -1, escapeDepth };
  if (begin !== -1 && end !== -1) {
    // As cdktf: the literal before the escape is added only when the `${` is past the start.
    if (begin > startIndex) fragments.addLiteral(this.str.substring(startIndex, Math.min(begin, end)));
    if (begin < end) {
      fragments.addEscape("open");
      return { index: begin + 2, escapeDepth: escapeDepth + 1 };
    }
    fragments.addEscape("close");
    return { index: end + 1, escapeDepth: escapeDepth - 1 };
  }
  if (begin !== -1) {
    if (begin > startIndex) fragments.addLiteral(this.str.substring(startIndex, begin));
    fragments.addEscape("open");
    return { index: begin + 2, escapeDepth: escapeDepth + 1 };
  }
  if (end > startIndex) fragments.addLiteral(this.str.substring(startIndex, end));
  fragments.addEscape("close");
  return { index: end + 1, escapeDepth: escapeDepth - 1 };
}

/** cdktf 0.21.0 `TokenString.tokenizeNext`, with a memoized search for the next token marker. */
function tokenizeNext(
  this: Scanner,
  lookup: (id: string) => IResolvable | undefined,
  fragments: TokenizedStringFragments,
  startIndex: number,
  escapeDepth: number,
): Step {
  if (startIndex >= this.str.length) return { index: -1, escapeDepth };
  const match = firstMatch(this, this.re, "tokenMemo", startIndex, this.regexMatchIndex);
  if (match.at === -1) {
    if (this.includeEscapeSequences) {
      const next = this.nextEscapeToken(fragments, startIndex, escapeDepth, this.str.length);
      if (next.index !== -1) return next;
    }
    fragments.addLiteral(this.str.substring(startIndex));
    return { index: -1, escapeDepth };
  }
  if (match.at > startIndex) {
    if (this.includeEscapeSequences) {
      const next = this.nextEscapeToken(fragments, startIndex, escapeDepth, match.at);
      if (next.index !== -1) return next;
    }
    fragments.addLiteral(this.str.substring(startIndex, match.at));
    return { index: match.at, escapeDepth };
  }
  const token = lookup(match.group);
  if (token) fragments.addToken(token);
  else fragments.addLiteral(this.str.substring(match.at, match.end));
  return { index: match.end, escapeDepth };
}

interface Fragment {
  type: "literal" | "escape" | "token" | "intrinsic";
  lit?: unknown;
  kind?: "open" | "close";
  token?: IResolvable;
  value?: unknown;
}

/** cdktf 0.21.0 `fragmentValue` (tokens/string-fragments.js). */
function fragmentValue(fragment: Fragment): unknown {
  switch (fragment.type) {
    case "literal":
      return fragment.lit;
    case "escape":
      return fragment.kind === "open" ? "${" : "}";
    case "token":
      return fragment.token?.toString();
    case "intrinsic":
      return fragment.value;
  }
}

/** cdktf 0.21.0 `TokenizedStringFragments.join`: the same left fold, without the splices. */
function join(this: { fragments: Fragment[]; firstValue: unknown }, concat: IFragmentConcatenator): unknown {
  const fragments = this.fragments;
  if (fragments.length === 0) return concat.join(undefined, undefined);
  if (fragments.length === 1) return this.firstValue;
  let value = concat.join(fragmentValue(fragments[0]), fragmentValue(fragments[1]));
  for (let i = 2; i < fragments.length; i++) value = concat.join(value, fragmentValue(fragments[i]));
  return value;
}

const scannerPrototype = TokenString.prototype as unknown as Record<string, unknown>;
const fragmentsPrototype = TokenizedStringFragments.prototype as unknown as Record<string, unknown>;
/** cdktf's own methods, put back by `uninstallLinearTokenScan`. */
export const CDKTF_METHODS = {
  nextEscapeToken: scannerPrototype.nextEscapeToken,
  tokenizeNext: scannerPrototype.tokenizeNext,
  join: fragmentsPrototype.join,
} as const;

/** Whether the installed cdktf is the release this code mirrors. */
export function isMirroredCdktf(): boolean {
  return cdktfVersion === MIRRORED_CDKTF_VERSION;
}

/** Installs the linear scans into cdktf, only on the release they mirror; says whether they are in. */
export function installLinearTokenScan(): boolean {
  if (!isMirroredCdktf()) return false;
  scannerPrototype.nextEscapeToken = nextEscapeToken;
  scannerPrototype.tokenizeNext = tokenizeNext;
  fragmentsPrototype.join = join;
  return true;
}

/** Puts cdktf's own methods back. */
export function uninstallLinearTokenScan(): void {
  scannerPrototype.nextEscapeToken = CDKTF_METHODS.nextEscapeToken;
  scannerPrototype.tokenizeNext = CDKTF_METHODS.tokenizeNext;
  fragmentsPrototype.join = CDKTF_METHODS.join;
}
