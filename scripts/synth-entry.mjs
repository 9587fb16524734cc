/**
 * The synth entry (cdktf.json "app"): runs main.ts as one bundled, pre-compiled script, because
 * most of a synth's time is Node loading and compiling JavaScript, not building the stacks.
 *
 * 1. Bundle. esbuild compiles main.ts and everything it imports (our sources, cdktf, constructs,
 *    the provider classes the app imports, zod, yaml) into dist/main.js: transpile only, no
 *    type-checking (`npm run typecheck` does that once). One file spares Node resolving and
 *    reading hundreds of modules. dist/main.meta.json records a hash of every input, and the
 *    bundle is rebuilt whenever one differs, so it is never stale (a fresh clone builds it on
 *    its first synth; ~0.3 s).
 * 2. Run. The bundle runs through vm.Script with a V8 code cache, so later runs skip parsing
 *    and compiling ~5 MB of JavaScript. The cache file is named after a hash of the bundle's
 *    content, the Node version and its flags: V8 itself checks a cache only against the
 *    source's length, so a rebuilt bundle of the same length would otherwise run stale code.
 *    (Node 22's module.enableCompileCache does this natively; Node 20 has no such API.)
 *
 * Runtime: CDK_RUNTIME=cdktn (scripts/runtime.cjs) bundles cdktn and @cdktn/provider-aws in
 * place of cdktf and @cdktf/provider-aws (esbuild `alias`), into dist/cdktn/ instead of
 * dist/cdktf/. Token creation stack traces are off on both runtimes unless
 * CDKTN_DISABLE_CREATION_STACK=0: cdktn reads that switch, and on cdktf, which reads none,
 * scripts/creation-stacks.cjs formats the traces it captures on plain objects as "".
 *
 * Trade-off: stack traces of a crash point into the bundle, whose whitespace is minified (no
 * source maps: enabling them makes every stack trace the framework captures slower); function
 * and class names are kept. Run
 * `node scripts/runtime.cjs tsx main.ts` to debug a crash with TypeScript line numbers.
 *
 * Usage: node scripts/synth-entry.mjs             build when needed, then synthesize
 *        node scripts/synth-entry.mjs --build     build only (always)
 *        node scripts/synth-entry.mjs --dist DIR  keep the bundle in DIR instead of dist/<runtime>/
 */
import { isAscii } from "node:buffer";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

const require = createRequire(import.meta.url);
const { aliases, runtime } = require("./runtime.cjs");
const { switchOffCreationStacks } = require("./creation-stacks.cjs");

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const cdkRuntime = runtime();
const distArg = process.argv.indexOf("--dist");
const dist = resolve(root, distArg > 0 ? process.argv[distArg + 1] : join("dist", cdkRuntime));
const bundle = join(dist, "main.js");
const metaFile = join(dist, "main.meta.json");
/**
 * V8 rejects a code cache made under another V8 version or other flags, and `cdktf synth` adds
 * --max-old-space-size=4096 through NODE_OPTIONS: part of the cache's name, so running the
 * entry with and without the CLI does not rewrite one cache back and forth.
 */
const flags = [process.version, ...process.execArgv, process.env.NODE_OPTIONS ?? ""].join(" ");

const flagsKey = createHash("sha256").update(flags).digest("hex").slice(0, 8);

/** The code cache of the bundle's bytes: main.js.<flags>.<content>.v8cache. */
function cacheFileFor(source) {
  const content = createHash("sha256").update(source).digest("hex").slice(0, 16);
  return `${bundle}.${flagsKey}.${content}.v8cache`;
}

const hash = (data) => createHash("sha256").update(data).digest("hex");

/**
 * What identifies one input of the bundle: the content hash of our sources; size and mtime for
 * installed packages (hashing their ~14 MB would cost ~25 ms per synth; `npm ci` rewrites
 * them, which changes the mtime).
 */
function fingerprint(path) {
  const file = join(root, path);
  if (path.startsWith("node_modules/")) {
    const { size, mtimeMs } = statSync(file);
    return `${size}:${mtimeMs}`;
  }
  return hash(readFileSync(file));
}

/** Writes via a temporary file and a rename, so a concurrent synth never reads half a file. */
function writeAtomic(path, data) {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Whether dist/main.js was built from exactly the current inputs (and this Node version). */
function isFresh() {
  if (!existsSync(bundle) || !existsSync(metaFile)) return false;
  let meta;
  try {
    meta = JSON.parse(readFileSync(metaFile, "utf8"));
  } catch {
    return false;
  }
  if (meta.node !== process.version || meta.runtime !== cdkRuntime) return false;
  return Object.entries(meta.inputs).every(
    ([path, digest]) => existsSync(join(root, path)) && fingerprint(path) === digest,
  );
}

/**
 * Hashes each of our sources as esbuild reads it, so the recorded hash is that of the content
 * bundled even when a file is saved during the build (the next synth then rebuilds).
 */
function recordSources(hashes) {
  return {
    name: "record-sources",
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, ({ path }) => {
        if (path.includes(`${sep}node_modules${sep}`)) return undefined;
        const contents = readFileSync(path);
        hashes.set(relative(root, path).split(sep).join("/"), hash(contents));
        return { contents, loader: "ts" };
      });
    },
  };
}

async function build() {
  // Loaded only when a build is needed: importing esbuild costs ~50 ms.
  const { build: esbuild } = await import("esbuild");
  const hashes = new Map();
  const result = await esbuild({
    absWorkingDir: root,
    entryPoints: ["main.ts"],
    outfile: bundle,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    // No keepNames: its __name() wrappers cost ~8 % of a large synth. Names only differ where
    // two bundled modules define the same one (then esbuild appends a digit).
    // Whitespace and syntax minified, identifiers kept (stack traces still name every function
    // and class): a 35 % smaller bundle reads, hashes and loads ~13 % faster for the default
    // blueprint (docs/benchmark.md).
    minifyWhitespace: true,
    minifySyntax: true,
    // CDK_RUNTIME=cdktn: `cdktf` and `@cdktf/provider-aws` (and their subpaths) are cdktn's.
    alias: aliases(cdkRuntime),
    plugins: [recordSources(hashes)],
    metafile: true,
    write: false,
    logLevel: "warning",
  });
  mkdirSync(dirname(bundle), { recursive: true });
  const [output] = result.outputFiles;
  // This script and esbuild decide the output as much as the sources do.
  const sources = [
    ...Object.keys(result.metafile.inputs),
    "scripts/synth-entry.mjs",
    "scripts/runtime.cjs",
    "node_modules/esbuild/package.json",
  ];
  const inputs = Object.fromEntries(sources.map((path) => [path, hashes.get(path) ?? fingerprint(path)]));
  writeAtomic(bundle, output.contents);
  writeAtomic(metaFile, JSON.stringify({ node: process.version, runtime: cdkRuntime, inputs }));
}

function run() {
  const bytes = readFileSync(bundle);
  // esbuild writes ASCII (its default charset escapes every other character), so decoding the
  // bytes as latin1 gives the same string, built directly as one of V8's one-byte strings:
  // ~5 ms instead of ~35 ms of UTF-8 decoding for the ~3.5 MB bundle. Hashing the bytes rather
  // than the string spares encoding it back to UTF-8 (~10 ms).
  const source = isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
  const cacheFile = cacheFileFor(bytes);
  const cachedData = existsSync(cacheFile) ? readFileSync(cacheFile) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  const entry = new Module(bundle, null);
  entry.filename = bundle;
  entry.paths = Module._nodeModulePaths(dirname(bundle));
  const compiled = script.runInThisContext();
  compiled.call(entry.exports, entry.exports, createRequire(bundle), entry, bundle, dirname(bundle));
  // Taken after the synth (main.ts is synchronous), so the cache also holds the functions V8
  // compiled lazily while synthesizing. A failed synth exits before this line.
  if (cachedData === undefined || script.cachedDataRejected) {
    try {
      writeAtomic(cacheFile, script.createCachedData());
      // Caches of earlier bundles under these flags are never read again.
      for (const name of readdirSync(dist)) {
        const path = join(dist, name);
        if (path !== cacheFile && path.startsWith(`${bundle}.${flagsKey}.`)) rmSync(path, { force: true });
      }
    } catch {
      // A read-only checkout still synthesizes, only without the cache.
    }
  }
}

process.env.CDKTN_DISABLE_CREATION_STACK ??= "1";
switchOffCreationStacks();
if (process.argv.includes("--build")) {
  await build();
} else {
  if (!isFresh()) await build();
  run();
}
