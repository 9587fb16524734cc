/**
 * Synthesizes an app without ever leaving a half-written output directory. cdktf writes each
 * stack's cdk.tf.json as soon as that stack passes its own validations, so a guardrail failure
 * in `platform` would leave a new `network` next to an old `platform`. The app is synthesized
 * into a sibling staging directory instead (same depth, so paths relative to a stack's
 * directory, such as the state stack's local backend, are unchanged) and its files are copied
 * over the output directory only when the whole synth succeeded; on any error the previous
 * output stays exactly as it was. Files Terraform keeps in a stack's directory (`.terraform/`,
 * the lock file) are left alone.
 */
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { App } from "cdktf";

/** Every file below `dir`, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)));
}

/** Copies the staged files into `outdir`, each through a rename; the manifest last. */
function publish(staging: string, outdir: string): void {
  const files = filesUnder(staging).sort(
    (a, b) => Number(a === "manifest.json") - Number(b === "manifest.json"),
  );
  for (const file of files) {
    const target = join(outdir, file);
    mkdirSync(dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.tmp`;
    copyFileSync(join(staging, file), tmp);
    renameSync(tmp, target);
  }
}

/**
 * A check of the synthesized files (the guardrails, stacks/app.ts `checkPlatformOutput`), run
 * on the staged output after `app.synth()` and before anything is published; it throws to fail.
 */
export type OutputCheck = (stagedOutdir: string) => void;

/**
 * Builds the app with `build` and synthesizes it; `outdir` (default: cdktf's) receives the
 * output only if everything (stack construction, validations, the check `build` returns)
 * succeeded.
 */
export function synthesizeAtomically(build: (app: App) => OutputCheck | void, outdir?: string): void {
  // Without an explicit outdir, the one cdktf would use (CDKTF_OUTDIR from the CLI, else cdktf.out).
  const target = resolve(outdir ?? new App().outdir);
  const staging = `${target}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  // cdktf creates only the last level of its outdir: a fresh clone has no cdktf.out/blueprints/.
  mkdirSync(dirname(staging), { recursive: true });
  try {
    const app = new App({ outdir: staging });
    const check = build(app);
    app.synth();
    check?.(staging);
    publish(staging, target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
