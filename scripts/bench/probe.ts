/**
 * In-process timings of one synth, printed as JSON for scripts/bench.ts: loading cdktf, loading
 * the app's modules (config, stacks, modules, provider classes), then building and synthesizing
 * the whole app twice (the first includes JIT warm-up; the second is what one more synthesis
 * inside an already-running Jest worker costs), then resolving every stack once more, and one
 * more warm synthesis with cdktf's own synthesis code instead of the stacks' shortcuts
 * (stacks/resolve-once.ts). Token stack traces are stubbed, as setup.js does in the tests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

export interface ProbeResult {
  readonly cdktfLoadSeconds: number;
  readonly appModulesLoadSeconds: number;
  /** Build + synth of the whole app: the first run, then a warm one. */
  readonly synthSeconds: readonly number[];
  /** One more resolution of every stack (toTerraform) on the warm app: what a validation that resolves the stacks adds. */
  readonly resolveSeconds: number;
  /** A warm build + synth with cdktf's own synthesis code (`withCdktfSynthesis`): the shortcuts' "before". */
  readonly cdktfSynthSeconds: number;
}

function main(): void {
  // require() instead of import: imports are hoisted, so they could not be timed one by one.
  /* eslint-disable @typescript-eslint/no-require-imports */
  require("cdktf/lib/tokens/private/stack-trace").captureStackTrace = () => [];
  const t0 = performance.now();
  const { App } = require("cdktf") as typeof import("cdktf");
  const t1 = performance.now();
  const { loadConfig } = require("../../config") as typeof import("../../config");
  const { buildPlatformApp } = require("../../stacks/app") as typeof import("../../stacks/app");
  const { withCdktfSynthesis } =
    require("../../stacks/resolve-once") as typeof import("../../stacks/resolve-once");
  const t2 = performance.now();
  /* eslint-enable @typescript-eslint/no-require-imports */
  const config = loadConfig(process.env);
  const synthSeconds: number[] = [];
  let resolveSeconds = 0;
  const synthOnce = () => {
    const outdir = mkdtempSync(join(tmpdir(), "bench-probe-"));
    const started = performance.now();
    const app = new App({ outdir });
    const stacks = buildPlatformApp(app, config, { guardrailLog: () => undefined });
    app.synth();
    rmSync(outdir, { recursive: true, force: true });
    return { stacks, seconds: (performance.now() - started) / 1000 };
  };
  for (let i = 0; i < 2; i++) {
    const { stacks, seconds } = synthOnce();
    synthSeconds.push(seconds);
    if (i === 1) {
      const resolving = performance.now();
      for (const stack of Object.values(stacks)) stack.toTerraform();
      resolveSeconds = (performance.now() - resolving) / 1000;
    }
  }
  const cdktfSynthSeconds = withCdktfSynthesis(() => synthOnce().seconds);
  const result: ProbeResult = {
    cdktfLoadSeconds: (t1 - t0) / 1000,
    appModulesLoadSeconds: (t2 - t1) / 1000,
    synthSeconds,
    resolveSeconds,
    cdktfSynthSeconds,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main();
}
