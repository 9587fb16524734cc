/**
 * The synthesis shortcuts (stacks/resolve-once.ts, fast-resolve.ts, linear-token-scan.ts) must
 * write exactly what cdktf's own synthesis writes. Each case synthesizes an app twice, with the
 * shortcuts and with cdktf's own code (`withCdktfSynthesis`), and compares every file.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import {
  App,
  Aspects,
  DefaultTokenResolver,
  Fn,
  IAspect,
  Lazy,
  StringConcat,
  TerraformOutput,
  TerraformStack,
  Testing,
  Token,
} from "cdktf";
import { resolve as cdktfResolve } from "cdktf/lib/tokens/private/resolve";
import { TokenString } from "cdktf/lib/tokens/private/encoding";
import { version as cdktfVersion } from "cdktf/package.json";
import type { IConstruct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { loadConfig, type PlatformConfig } from "../../config";
import { buildPlatformApp } from "../../stacks/app";
import { fastResolve, PassTokenResolver } from "../../stacks/fast-resolve";
import { CDKTF_METHODS, installLinearTokenScan } from "../../stacks/linear-token-scan";
import { MIRRORED_CDKTF_VERSION, ResolveOnceStack, withCdktfSynthesis } from "../../stacks/resolve-once";
import { generateCatalog } from "../../scripts/bench/catalog";
import { allKinds } from "../support/blueprints";
import { configFor, configFrom } from "../support/synth";

/** Every file under `dir`, relative path -> content. */
function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return files;
}

function synthTree(config: PlatformConfig): Map<string, string> {
  const outdir = mkdtempSync(join(tmpdir(), "resolve-once-"));
  try {
    const app = new App({ outdir, skipValidation: false });
    buildPlatformApp(app, config, { guardrailLog: () => undefined });
    app.synth();
    return readTree(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe("synthesis shortcuts", () => {
  it("mirror the installed cdktf release (otherwise stacks fall back to cdktf's own code)", () => {
    // On a cdktf upgrade: check resolve-once.ts, fast-resolve.ts and linear-token-scan.ts against
    // the new release's terraform-stack.js, tokens/private/resolve.js and encoding.js, then bump.
    expect(cdktfVersion).toBe(MIRRORED_CDKTF_VERSION);
  });

  const cases: [string, () => PlatformConfig][] = [
    ["trading", () => configFor("trading")],
    ["orders", () => configFor("orders")],
    ["fraud", () => configFor("fraud")],
    ["fintech", () => configFor("fintech")],
    ["allkinds (every service kind, mesh TLS, database)", () => configFrom(allKinds)],
    ["a generated catalog of 24 services", () => configFrom(generateCatalog(24))],
  ];

  it.each(cases)("write byte for byte what cdktf writes: %s", (_name, config) => {
    const cdktf = withCdktfSynthesis(() => synthTree(config()));
    const shortcut = synthTree(config());
    expect([...shortcut.keys()].sort()).toEqual([...cdktf.keys()].sort());
    expect(shortcut.size).toBeGreaterThan(5);
    for (const [path, content] of cdktf)
      expect({ path, content: shortcut.get(path) }).toEqual({ path, content });
  });

  it("take effect: the prepared pass is reused (one resolution of each element per synth)", () => {
    const config = loadConfig({ BLUEPRINT: "trading", ENVIRONMENT_SUFFIX: "test" });
    const count = (enabled: boolean) => {
      let calls = 0;
      const run = () => {
        const app = Testing.app() as App;
        const stacks = buildPlatformApp(app, config, { guardrailLog: () => undefined });
        const bucket = stacks.state.bucket as unknown as { toTerraform: () => unknown };
        const original = bucket.toTerraform.bind(bucket);
        bucket.toTerraform = () => {
          calls++;
          return original();
        };
        app.synth();
      };
      if (enabled) run();
      else withCdktfSynthesis(run);
      return calls;
    };
    expect(count(false)).toBe(2);
    expect(count(true)).toBe(1);
  });
});

/** A minimal stack of ours (ResolveOnceStack) with one bucket, for behaviour tests. */
class SmallStack extends ResolveOnceStack {
  readonly bucket: S3Bucket;
  constructor(scope: App, id: string) {
    super(scope, id);
    new AwsProvider(this, "aws", { region: "eu-west-1" });
    this.bucket = new S3Bucket(this, "bucket", { bucketPrefix: "small" });
  }
}

describe("ResolveOnceStack", () => {
  it("uses the kept resolution for one toTerraform() only: a change after a synth is written", () => {
    const app = Testing.app() as App;
    const stack = new SmallStack(app, "small");
    app.synth();
    stack.bucket.addOverride("force_destroy", true);
    const json = stack.toTerraform() as {
      resource: { aws_s3_bucket: Record<string, { force_destroy?: boolean }> };
    };
    expect(Object.values(json.resource.aws_s3_bucket)[0].force_destroy).toBe(true);
  });

  it("drops the kept resolution when the stack has an aspect (an aspect may change elements)", () => {
    class ForceDestroy implements IAspect {
      visit(node: IConstruct): void {
        if (node instanceof S3Bucket) node.forceDestroy = true;
      }
    }
    const outdir = mkdtempSync(join(tmpdir(), "resolve-once-aspect-"));
    try {
      const app = new App({ outdir });
      const stack = new SmallStack(app, "small");
      Aspects.of(stack).add(new ForceDestroy());
      app.synth();
      const written = JSON.parse(readFileSync(join(outdir, "stacks/small/cdk.tf.json"), "utf8"));
      expect(
        Object.values(written.resource.aws_s3_bucket as Record<string, { force_destroy?: boolean }>)[0],
      ).toEqual(expect.objectContaining({ force_destroy: true }));
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it("resolves tokens in the stack's raw overrides, as cdktf does", () => {
    const app = Testing.app() as App;
    const stack = new SmallStack(app, "small");
    stack.addOverride("locals.bucket_arn", stack.bucket.arn);
    app.synth();
    const written = JSON.parse(Testing.synth(stack));
    expect(written.locals.bucket_arn).toBe("${aws_s3_bucket.bucket.arn}");
  });

  it("keeps cross-stack references working: outputs in the producer, remote state in the consumer", () => {
    const outdir = mkdtempSync(join(tmpdir(), "resolve-once-xstack-"));
    try {
      const app = new App({ outdir });
      const producer = new SmallStack(app, "producer");
      const consumer = new SmallStack(app, "consumer");
      new TerraformOutput(consumer, "other", { value: producer.bucket.arn });
      app.synth();
      const read = (id: string) => JSON.parse(readFileSync(join(outdir, `stacks/${id}/cdk.tf.json`), "utf8"));
      const out = read("consumer").output.other.value as string;
      expect(out).toMatch(
        /^\$\{data\.terraform_remote_state\.cross-stack-reference-input-producer\.outputs\./,
      );
      expect(Object.keys(read("producer").output)).toEqual([expect.stringMatching(/^cross-stack-output-/)]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe("fastResolve", () => {
  const resolver = new DefaultTokenResolver(new StringConcat());
  const scopeApp = Testing.app() as App;
  const scope = new TerraformStack(scopeApp, "scope");
  const bucket = new S3Bucket(scope, "b", { bucketPrefix: "x" });
  const ours = (value: unknown) => fastResolve(value, { scope, preparing: false, resolver });
  const theirs = (value: unknown) => cdktfResolve(value, { scope, preparing: false, resolver, prefix: [] });

  const values: [string, unknown][] = [
    [
      "plain nested data, undefined dropped",
      { a: 1, b: [1, undefined, "x"], c: { d: undefined, e: null, f: true } },
    ],
    ["a string with a token", `arn=${bucket.arn}`],
    ["a string that is one token", bucket.arn],
    [
      "a string that is one token resolving to a list",
      Token.asString(Lazy.listValue({ produce: () => ["a", "b"] })),
    ],
    ["a string that is one stringified number token", Token.asString(Token.asNumber(bucket.id))],
    ["a token object", Lazy.stringValue({ produce: () => "lazy" })],
    ["a number token", Token.asNumber(bucket.id)],
    ["a number token among numbers", [1, Token.asNumber(bucket.id), 3]],
    ["a number list token", Token.asNumberList(bucket.id)],
    ["numbers around the smallest token magnitude", [1e288, -1e289, 2 ** 960, -(2 ** 961)]],
    ["a list token in a list", bucket.corsRule],
    ["a list token", Token.asList(bucket.id)],
    ["a map token key", { [Token.asString(Lazy.stringValue({ produce: () => "key" }))]: "v" }],
    ["a Terraform function", Fn.lower(bucket.bucket)],
    ["a string that looks like a number token", "1e5 and 2E-3 and e+e"],
    [
      "a JSON document with tokens and braces",
      JSON.stringify({ widgets: [{ a: bucket.arn, b: { c: bucket.bucket } }, { d: bucket.arn }], e: "}{" }),
    ],
    ["tokens side by side", `${bucket.arn}${bucket.bucket}/${Token.asString(Token.asNumber(bucket.id))}`],
    ["a stringified number token in text", `size ${Token.asNumber(bucket.id)} units`],
    ["a lazy value in text", `x-${Lazy.stringValue({ produce: () => undefined as unknown as string })}-y`],
    ["an escape with a token inside", `\${upper(${bucket.bucket})}`],
    ["a date", new Date(0)],
    ["deep plain data", { l1: { l2: { l3: [{ l4: "x" }] } } }],
  ];

  it.each(values)("resolves like cdktf: %s", (_name, value) => {
    expect(ours(value)).toEqual(theirs(value));
  });

  it("returns unchanged plain data as it is, and copies what changes or drops undefined", () => {
    const plain = { a: "x", b: [1, { c: true }] };
    expect(ours(plain)).toBe(plain);
    const withToken = { a: "x", b: [1, { c: bucket.arn }], d: { e: 1 } };
    const out = ours(withToken) as { a: string; b: [number, { c: string }]; d: { e: number } };
    expect(out).not.toBe(withToken);
    expect(out.b).not.toBe(withToken.b);
    expect(out.b[1].c).toBe("${aws_s3_bucket.b.arn}");
    expect((withToken.b[1] as { c: string }).c).toContain("TfToken");
    expect(out.d).toBe(withToken.d);
    const holes = { a: undefined, b: [undefined, 2] };
    expect(ours(holes)).toEqual({ b: [2] });
    expect(Object.keys(ours(holes) as object)).toEqual(["b"]);
    class Shape {
      readonly kind = "shape";
    }
    const instance = new Shape();
    expect(ours(instance)).not.toBe(instance);
    expect(Object.getPrototypeOf(ours(instance))).toBe(Object.prototype);
  });

  it("raises cdktf's error for a token key it does not know", () => {
    const unknown = { a: "${TfToken[TOKEN.99999999]}" };
    expect(() => theirs(unknown)).toThrow(/TOKEN\.99999999/);
    expect(() => ours(unknown)).toThrow(/TOKEN\.99999999/);
  });

  it("raises cdktf's own errors with cdktf's key path", () => {
    const bad = { outer: { inner: () => 1 } };
    expect(() => ours(bad)).toThrow(/\/outer\/inner/);
    expect(() => theirs(bad)).toThrow(/\/outer\/inner/);
  });
});

describe("PassTokenResolver", () => {
  it("fails as cdktf's resolver does, with cdktf's message", () => {
    const app = Testing.app() as App;
    const scope = new TerraformStack(app, "s");
    const failing = Lazy.stringValue({
      produce: () => {
        throw new Error("boom");
      },
    });
    const value = { a: `x-${failing}`, b: failing };
    const cdktfMessage = (() => {
      try {
        cdktfResolve(value, {
          scope,
          preparing: true,
          resolver: new DefaultTokenResolver(new StringConcat()),
          prefix: [],
        });
      } catch (e) {
        return (e as Error).message;
      }
      return "no error";
    })();
    expect(cdktfMessage).toMatch(/^Resolution error: boom\./);
    expect(() => fastResolve(value, { scope, preparing: true, resolver: new PassTokenResolver() })).toThrow(
      cdktfMessage,
    );
  });

  it("post-processes as cdktf does (a token that registers a post-processor)", () => {
    const app = Testing.app() as App;
    const scope = new TerraformStack(app, "s");
    const processed = {
      creationStack: [],
      resolve: (context: {
        registerPostProcessor: (pp: { postProcess: (x: unknown) => unknown }) => void;
      }) => {
        context.registerPostProcessor({ postProcess: (x) => `${String(x)}!` });
        return "value";
      },
      toString: () => Token.asString(processed),
    };
    const token = Token.asString(processed);
    const cdktfOut = cdktfResolve(
      { t: token },
      { scope, preparing: true, resolver: new DefaultTokenResolver(new StringConcat()), prefix: [] },
    );
    expect(cdktfOut).toEqual({ t: "value!" });
    expect(fastResolve({ t: token }, { scope, preparing: true, resolver: new PassTokenResolver() })).toEqual(
      cdktfOut,
    );
  });

  it("resolves a token once per pass for scalar results, every time for lists", () => {
    const app = Testing.app() as App;
    const scope = new TerraformStack(app, "s");
    let produced = 0;
    const scalar = Lazy.stringValue({ produce: () => `v${++produced}` });
    const list = Lazy.listValue({ produce: () => ["a", "b"] });
    const resolver = new PassTokenResolver();
    const out = fastResolve(
      { a: scalar, b: scalar, c: list, d: list },
      { scope, preparing: true, resolver },
    ) as {
      a: string;
      b: string;
      c: string[];
      d: string[];
    };
    expect([out.a, out.b]).toEqual(["v1", "v1"]);
    expect(produced).toBe(1);
    expect(out.c).toEqual(["a", "b"]);
    expect(out.c).not.toBe(out.d);
  });
});

describe("linear token scan", () => {
  const lookup = () => undefined;
  const strings = [
    "plain",
    "a}b}c}",
    "${var.x}",
    "x ${a} y ${b} z",
    "${TfToken[TOKEN.1]} tail",
    '{"a":{"b":"${TfToken[TOKEN.2]}"}}',
    "$${escaped} } ${open",
    "${outer(${inner})}",
    "}}}${TfToken[TOKEN.3]}}}}",
    "1e5 -2.5e+3 x",
  ];

  /** Splits with cdktf's own methods or ours, returning the fragments' values. */
  function split(str: string, ours: boolean, forNumbers = false): unknown[] {
    if (!ours) {
      const proto = TokenString.prototype as unknown as Record<string, unknown>;
      const saved = { n: proto.nextEscapeToken, t: proto.tokenizeNext };
      proto.nextEscapeToken = CDKTF_METHODS.nextEscapeToken;
      proto.tokenizeNext = CDKTF_METHODS.tokenizeNext;
      try {
        return describeFragments(str, forNumbers);
      } finally {
        proto.nextEscapeToken = saved.n;
        proto.tokenizeNext = saved.t;
      }
    }
    installLinearTokenScan();
    return describeFragments(str, forNumbers);
  }

  function describeFragments(str: string, forNumbers: boolean): unknown[] {
    const ts = forNumbers ? TokenString.forNumbers(str) : TokenString.forString(str, true);
    const fragments = ts.split(lookup) as unknown as { fragments: unknown[] };
    return fragments.fragments;
  }

  it.each(strings)("splits %j into the same fragments as cdktf", (str) => {
    expect(split(str, true)).toEqual(split(str, false));
    expect(split(str, true, true)).toEqual(split(str, false, true));
  });

  it("joins fragments left to right as cdktf does", () => {
    installLinearTokenScan();
    const calls: [unknown, unknown][] = [];
    const concat = {
      join: (a: unknown, b: unknown) => {
        calls.push([a, b]);
        return `${String(a)}${String(b)}`;
      },
    };
    const fragments = TokenString.forString("a}b${c}d", true).split(lookup);
    expect(fragments.join(concat)).toBe("a}b${c}d");
    expect(calls[0]).toEqual(["a", "}"]);
  });
});
