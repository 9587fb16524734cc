import {
  Aspects,
  DefaultTokenResolver,
  StringConcat,
  TerraformElement,
  TerraformOutput,
  TerraformStack,
  Token,
  Tokenization,
} from "cdktf";
import { deepMerge } from "cdktf/lib/util";
import type { Construct, IConstruct } from "constructs";
import { fastResolve, PassTokenResolver } from "./fast-resolve";
import { installLinearTokenScan, isMirroredCdktf, uninstallLinearTokenScan } from "./linear-token-scan";

export { MIRRORED_CDKTF_VERSION } from "./linear-token-scan";

/**
 * Whether stacks take the shortcuts of this file and of linear-token-scan.ts. They do only on
 * the cdktf release they mirror (MIRRORED_CDKTF_VERSION): on another, every stack synthesizes
 * with cdktf's own code (correct, only slower) until the mirrored code is checked against it,
 * and `__tests__/stacks/resolve-once.test.ts` fails to say so.
 */
let shortcuts = isMirroredCdktf();

/**
 * Runs `fn` with cdktf's own synthesis (two full resolutions, cdktf's scanner): the reference
 * the tests compare the shortcuts with, and the "before" of the benchmark's lever.
 */
export function withCdktfSynthesis<T>(fn: () => T): T {
  const before = shortcuts;
  shortcuts = false;
  uninstallLinearTokenScan();
  try {
    return fn();
  } finally {
    shortcuts = before;
    if (shortcuts) installLinearTokenScan();
  }
}

type Json = Record<string, unknown>;

const RESOLVER = new DefaultTokenResolver(new StringConcat());

/** A final (not preparing) resolution, as cdktf's `toTerraform()` makes, through the fast path. */
function resolve(scope: IConstruct, value: unknown): Json {
  return fastResolve(value, { scope, preparing: false, resolver: RESOLVER }) as Json;
}

/** cdktf's element walk (terraform-stack.js `terraformElements`): this stack's, not substacks'. */
function terraformElements(node: IConstruct, into: TerraformElement[] = []): TerraformElement[] {
  if (TerraformElement.isTerraformElement(node)) into.push(node);
  for (const child of node.node.children) {
    if (!TerraformStack.isStack(child)) terraformElements(child, into);
  }
  return into;
}

/** cdktf's token markers in strings: string, list and map tokens (tokens/private/encoding.js). */
const TOKEN_MARKERS = ["${TfToken[", "#{TfToken[", "&{TfToken["];

/** Whether a value holds a token anywhere (then it needs resolving). */
function containsTokens(value: unknown): boolean {
  if (typeof value === "string") return TOKEN_MARKERS.some((marker) => value.includes(marker));
  if (typeof value === "number") return Token.isUnresolved(value);
  if (Array.isArray(value)) return value.some(containsTokens);
  if (value !== null && typeof value === "object") {
    if (Tokenization.isResolvable(value)) return true;
    return Object.entries(value).some(([key, v]) => containsTokens(key) || containsTokens(v));
  }
  return false;
}

/**
 * A TerraformStack that resolves its elements once per synthesis instead of twice.
 *
 * `app.synth()` first "prepares" every stack: it resolves every element (`preparing: true`)
 * only to discover cross-stack references, and drops the result; then, to write the stack,
 * `toTerraform()` resolves every element again and the merged document once more. Token
 * resolution is most of a large synth (docs/benchmark.md). This stack keeps what the
 * preparing pass resolved and builds the next `toTerraform()` from it, resolving only the
 * elements that did not exist yet (the outputs and remote-state data sources that cross-stack
 * references add) and, when they hold tokens, the stack's raw overrides. Both passes go
 * through fast-resolve.ts (token-free data walked without cdktf's per-key contexts), and the
 * document is assembled by reference rather than deep-copied.
 *
 * Why the output is the same: a preparing resolution differs from a final one only in that a
 * cross-stack `Reference` registers itself (cdktf tfExpression.js `Reference.resolve`), and
 * it then returns the identifier a final resolution returns; resolving resolved JSON again
 * changes nothing. Between the passes only aspects, validations and custom synthesis run: if
 * the stack has any aspect the kept results are dropped (an aspect may change elements), and
 * they serve one `toTerraform()` call only, so a stack changed after a synth is resolved
 * afresh. `__tests__/stacks/resolve-once.test.ts` compares every blueprint's files with
 * cdktf's unmodified synthesis, byte for byte.
 */
export abstract class ResolveOnceStack extends TerraformStack {
  private prepared?: Map<TerraformElement, Json>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    if (shortcuts) installLinearTokenScan();
  }

  public override prepareStack(): void {
    if (!shortcuts) {
      super.prepareStack();
      return;
    }
    this.ensureBackendExists();
    const prepared = new Map<TerraformElement, Json>();
    const memo = new Map<string, unknown>();
    const resolver = new PassTokenResolver();
    // As cdktf: the element list is taken first; elements added meanwhile are resolved later.
    for (const element of terraformElements(this)) {
      prepared.set(
        element,
        fastResolve(element.toTerraform(), { scope: this, preparing: true, resolver, memo }) as Json,
      );
    }
    this.prepared = prepared;
  }

  public override toTerraform(): Json {
    const prepared = this.prepared;
    this.prepared = undefined;
    if (prepared === undefined || !shortcuts || hasAspects(this)) return super.toTerraform() as Json;
    return this.assemble(prepared);
  }

  /** cdktf 0.21.0 `TerraformStack.toTerraform()`, with the prepared fragments reused. */
  private assemble(prepared: Map<TerraformElement, Json>): Json {
    const self = this as unknown as { cdktfVersion: string; rawOverrides: Json };
    const tf: Json = {};
    const metadata: Json = {
      version: self.cdktfVersion,
      stackName: this.node.id,
      backend: "local",
      cloud: undefined,
      ...(Object.keys(self.rawOverrides).length > 0
        ? { overrides: { stack: Object.keys(self.rawOverrides) } }
        : {}),
    };
    const elements = terraformElements(this);
    for (const element of elements) deepMerge(metadata, resolve(this, element.toMetadata()));
    const outputs: Json = {};
    for (const element of elements) {
      if (!TerraformOutput.isTerraformOutput(element)) continue;
      deepMerge(
        outputs,
        element.node.path
          .split("/")
          .reduceRight<Json>(
            (inner, part) =>
              Object.keys(inner).length === 0 ? { [part]: element.friendlyUniqueId } : { [part]: inner },
            {},
          ),
      );
    }
    tf["//"] = resolve(this, { metadata, outputs });
    const owned = new WeakSet<object>([tf]);
    for (const element of elements)
      mergeInto(tf, prepared.get(element) ?? resolve(this, element.toTerraform()), owned);
    mergeInto(tf, self.rawOverrides, owned);
    // cdktf resolves the merged document once more: only tokens in the raw overrides need it.
    return containsTokens(self.rawOverrides) ? resolve(this, tf) : tf;
  }
}

/**
 * cdktf's `deepMerge` (util.js) of a resolved fragment into the stack document, without its
 * deep copy: an object the document does not have yet is taken as it is (the fragments are
 * resolved, so they hold no `undefined` deepMerge would drop, and each serves this one
 * document), and an object taken that way is copied, shallowly, before another fragment is
 * merged into it, so no fragment is ever changed. Lists concatenate, `undefined` deletes, a
 * token is taken whole, everything else replaces: as deepMerge.
 */
function mergeInto(target: Json, source: Json, owned: WeakSet<object>): void {
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      let into = target[key];
      if (typeof into !== "object" || into === null || Tokenization.isResolvable(value)) {
        target[key] = value;
        continue;
      }
      if (!owned.has(into)) {
        into = Array.isArray(into) ? Object.assign([], into) : { ...into };
        owned.add(into as object);
        target[key] = into;
      }
      mergeInto(into as Json, value as Json, owned);
    } else if (Array.isArray(value)) {
      const into = target[key];
      target[key] = Array.isArray(into) ? [...(into as unknown[]), ...value] : value;
    } else if (value === undefined) {
      delete target[key];
    } else {
      target[key] = value;
    }
  }
}

/** Whether the stack or any construct in it or above it has an aspect. */
function hasAspects(stack: TerraformStack): boolean {
  // `Aspects.all` copies its list on every read: look at the length of the list itself.
  const has = (c: IConstruct) => (Aspects.of(c) as unknown as { _aspects: unknown[] })._aspects.length > 0;
  if (stack.node.scopes.some(has)) return true;
  const pending: IConstruct[] = [...stack.node.children];
  for (let c = pending.pop(); c !== undefined; c = pending.pop()) {
    if (has(c)) return true;
    pending.push(...c.node.children);
  }
  return false;
}
