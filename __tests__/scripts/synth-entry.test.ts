/**
 * The synth entry (cdktf.json `app`, scripts/synth-entry.mjs): an esbuild bundle of main.ts run
 * with a V8 code cache, on the runtime CDK_RUNTIME selects. Runs on a copy of the app's
 * sources (node_modules linked), so a test can edit a source the way a developer does.
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { synthEnv, verifySynthOutput } from "../../scripts/bench/measure";

const STACKS = ["state", "network", "registry", "platform", "observability"];
const SOURCES = [
  "main.ts",
  "config",
  "stacks",
  "modules",
  "scripts",
  "package.json",
  "tsconfig.json",
  "tsconfig.cdktn.json",
];
const repo = resolve(__dirname, "../..");
const runtime = process.env.CDK_RUNTIME || "cdktf";

describe("the synth entry (cdktf.json app)", () => {
  let root: string;
  let dist: string;
  const outdirs: string[] = [];

  /** One synth of the copy into a fresh output folder; the bundle's state right after it. */
  function synth(env: Record<string, string> = {}) {
    const outdir = mkdtempSync(join(tmpdir(), "entry-out-"));
    outdirs.push(outdir);
    const run = spawnSync("node", ["scripts/synth-entry.mjs"], {
      cwd: root,
      env: { ...synthEnv(process.env, outdir), NODE_OPTIONS: "--max-old-space-size=4096", ...env },
      encoding: "utf8",
    });
    const bundle = statSync(join(dist, "main.js"));
    const caches = readdirSync(dist).filter((f) => /^main\.js\.[0-9a-f]{8}\.[0-9a-f]{16}\.v8cache$/.test(f));
    return { run, outdir, bundleSize: bundle.size, bundleTime: bundle.mtimeMs, caches };
  }
  const managedBy = (outdir: string): string =>
    JSON.parse(readFileSync(join(outdir, "stacks", "network", "cdk.tf.json"), "utf8")).provider.aws[0]
      .default_tags[0].tags.ManagedBy;

  let first: ReturnType<typeof synth>;
  let second: ReturnType<typeof synth>;
  let otherFlags: ReturnType<typeof synth>;
  let edited: ReturnType<typeof synth>;
  let badBlueprint: ReturnType<typeof synth>;
  let otherRuntime: ReturnType<typeof synth>;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "entry-copy-"));
    for (const path of SOURCES) cpSync(join(repo, path), join(root, path), { recursive: true });
    symlinkSync(join(repo, "node_modules"), join(root, "node_modules"));
    dist = join(root, "dist", runtime);
    first = synth();
    second = synth();
    otherFlags = synth({ NODE_OPTIONS: "--max-old-space-size=2048" });
    otherRuntime = synth({ CDK_RUNTIME: runtime === "cdktn" ? "cdktf" : "cdktn" });
    // An edit that keeps the bundle's length: V8 checks a code cache only against the length.
    const base = join(root, "stacks", "base.ts");
    writeFileSync(base, readFileSync(base, "utf8").replace('ManagedBy: "cdktf"', 'ManagedBy: "cdktX"'));
    edited = synth({ TF_STATE_BUCKET: "entry-test-state" });
    badBlueprint = synth({ BLUEPRINT: "nope" });
  }, 90_000);
  afterAll(() => {
    for (const dir of [root, ...outdirs]) rmSync(dir, { recursive: true, force: true });
  });

  test("cdktf.json runs the synth entry", () => {
    expect(JSON.parse(readFileSync(join(repo, "cdktf.json"), "utf8")).app).toBe(
      "node scripts/synth-entry.mjs",
    );
  });

  test("a fresh checkout's first synth builds the bundle and writes every stack", () => {
    expect(first.run.status).toBe(0);
    expect(verifySynthOutput(first.outdir, STACKS)).toBeGreaterThan(0);
  });

  test("the next synth reuses the bundle and leaves one V8 code cache", () => {
    expect(second.run.status).toBe(0);
    expect(second.bundleTime).toBe(first.bundleTime);
    expect(second.caches).toHaveLength(1);
  });

  test("a synth under other V8 flags keeps its own code cache (V8 would reject the other)", () => {
    expect(otherFlags.run.status).toBe(0);
    expect(otherFlags.caches).toHaveLength(2);
    expect(otherFlags.caches).toEqual(expect.arrayContaining(second.caches));
  });

  test("a source edit rebuilds the bundle", () => {
    expect(edited.run.status).toBe(0);
    expect(edited.bundleTime).toBeGreaterThan(second.bundleTime);
  });

  test("a source edit that keeps the bundle's length changes the synthesized output", () => {
    expect(edited.bundleSize).toBe(second.bundleSize);
    expect(managedBy(second.outdir)).toBe("cdktf");
    expect(managedBy(edited.outdir)).toBe("cdktX");
  });

  test("the edited bundle gets a new code cache; the stale one of the same flags is removed", () => {
    expect(edited.caches).toHaveLength(2);
    expect(edited.caches).not.toContain(second.caches[0]);
    expect(edited.caches.filter((c) => !otherFlags.caches.includes(c))).toHaveLength(1);
  });

  test("the bundle records every source it was built from, and the runtime", () => {
    const meta = JSON.parse(readFileSync(join(dist, "main.meta.json"), "utf8"));
    expect(Object.keys(meta.inputs)).toEqual(
      expect.arrayContaining(["main.ts", "config/index.ts", "stacks/app.ts", "scripts/runtime.cjs"]),
    );
    expect(meta.runtime).toBe(runtime);
  });

  test("says so on stdout (which the CLI does not label [ERROR]) when the state bucket is the blueprint-only default, and not when it is named", () => {
    expect(first.run.status).toBe(0);
    const note = /note: TF_STATE_BUCKET is not set; state goes to tfstate-trading-platform/;
    expect(first.run.stdout).toMatch(note);
    expect(first.run.stderr).not.toMatch(note);
    expect(edited.run.stdout).not.toMatch(note);
  });

  test("fails with the config error and exit code 1 when the blueprint is unknown", () => {
    expect(badBlueprint.run.status).toBe(1);
    expect(badBlueprint.run.stderr).toMatch(/BLUEPRINT: "nope" is not a built-in blueprint/);
  });

  test("the other runtime writes the same stacks but for the provider's source and version and the framework's version", () => {
    expect(otherRuntime.run.status).toBe(0);
    const differences: string[] = [];
    const compare = (a: unknown, b: unknown, path: string): void => {
      if (JSON.stringify(a) === JSON.stringify(b)) return;
      if (a && b && typeof a === "object" && typeof b === "object") {
        const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
        for (const key of keys)
          compare((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
      } else differences.push(path.replace(/^[^.]+/, ""));
    };
    const read = (outdir: string, id: string) =>
      JSON.parse(readFileSync(join(outdir, "stacks", id, "cdk.tf.json"), "utf8")) as unknown;
    for (const id of STACKS) compare(read(second.outdir, id), read(otherRuntime.outdir, id), id);
    expect([...new Set(differences)].sort()).toEqual([
      ".//.metadata.version",
      ".terraform.required_providers.aws.source",
      ".terraform.required_providers.aws.version",
    ]);
  });
});
