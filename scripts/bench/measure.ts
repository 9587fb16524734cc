/**
 * Runs one command in a child process under GNU time and returns its wall time and peak memory.
 * Child processes, not in-process timers: a synth's cost includes Node's start and module
 * loading, which is what an engineer waits for on every `cdktf synth`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sample } from "./stats";

export const GNU_TIME = "/usr/bin/time";

/** GNU time's output format: elapsed s, max RSS KiB, user s, system s. */
export const TIME_FORMAT = "%e %M %U %S";

/** Reads GNU time's TIME_FORMAT output (the last line; a failed command adds one before it). */
export function parseTimeOutput(text: string): Sample {
  const last = text.trim().split("\n").pop() ?? "";
  const match = /^(\d+(?:\.\d+)?) (\d+) (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)$/.exec(last.trim());
  if (!match) throw new Error(`unexpected GNU time output: ${JSON.stringify(text)}`);
  return {
    seconds: Number(match[1]),
    maxRssKiB: Number(match[2]),
    cpuSeconds: Number(match[3]) + Number(match[4]),
  };
}

/**
 * The environment `cdktf synth` gives the app command (cli-core synth-stack.ts): TF_VAR_*
 * removed, a 4 GiB heap unless NODE_OPTIONS is set, the output folder and context variables.
 */
export function synthEnv(
  base: NodeJS.ProcessEnv,
  outdir: string,
  blueprint?: string,
): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = Object.fromEntries(
    Object.entries(base).filter(([key]) => !key.startsWith("TF_VAR_") && key !== "BLUEPRINT"),
  );
  env.NODE_OPTIONS ??= "--max-old-space-size=4096";
  env.CDKTF_OUTDIR = outdir;
  env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = "true";
  env.CDKTF_CONTEXT_JSON = JSON.stringify({ cdktfRelativeModules: [] });
  env.SYNTH_HCL_OUTPUT = "false";
  if (blueprint !== undefined) env.BLUEPRINT = blueprint;
  return env;
}

export class RunError extends Error {}

/** One run of a command through `sh -c` under GNU time, successful or not. */
export interface Run extends Sample {
  readonly exitCode: number;
  readonly output: string;
}

/** Runs `command` once under GNU time and reports its exit code instead of throwing (`npm test`). */
export function timedRunStatus(
  command: string,
  env: Record<string, string | undefined>,
  cwd = process.cwd(),
): Run {
  const dir = mkdtempSync(join(tmpdir(), "bench-time-"));
  const timeFile = join(dir, "time.txt");
  try {
    const started = process.hrtime.bigint();
    const result = spawnSync(GNU_TIME, ["-f", TIME_FORMAT, "-o", timeFile, "sh", "-c", command], {
      cwd,
      env,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    });
    // Wall time from the parent's monotonic clock: GNU time's %e has only 10 ms resolution.
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.error) throw new RunError(`cannot run ${GNU_TIME}: ${result.error.message}`);
    const { maxRssKiB, cpuSeconds } = parseTimeOutput(readFileSync(timeFile, "utf8"));
    return {
      seconds,
      maxRssKiB,
      cpuSeconds,
      exitCode: result.status ?? 1,
      output: `${result.stdout}\n${result.stderr}`,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `command` once under GNU time; throws with the command's output when it fails. */
export function timedRun(
  command: string,
  env: Record<string, string | undefined>,
  cwd = process.cwd(),
): Sample {
  const run = timedRunStatus(command, env, cwd);
  if (run.exitCode !== 0) {
    throw new RunError(`\`${command}\` exited with ${run.exitCode}:\n${run.output.trim().slice(-4000)}`);
  }
  return { seconds: run.seconds, maxRssKiB: run.maxRssKiB, cpuSeconds: run.cpuSeconds };
}

interface ManifestStack {
  readonly synthesizedStackPath: string;
  readonly annotations: readonly { level: string; message: string }[];
}

/**
 * Proves a run synthesized what `terraform` needs: a cdk.tf.json per expected stack and no
 * error annotation (the app runs with CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS, like under the
 * CLI, so errors land in the manifest instead of the exit code). Returns the resources and data
 * sources synthesized over all stacks.
 */
export function verifySynthOutput(outdir: string, expectedStacks: readonly string[]): number {
  const manifestPath = join(outdir, "manifest.json");
  if (!existsSync(manifestPath)) throw new RunError(`no ${manifestPath}: the app did not call synth()`);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
    stacks: Record<string, ManifestStack>;
  };
  let count = 0;
  for (const id of expectedStacks) {
    const stack = manifest.stacks[id];
    if (!stack) throw new RunError(`stack ${id} is missing from ${manifestPath}`);
    const errors = stack.annotations.filter((a) => a.level === "@cdktf/error");
    if (errors.length > 0) {
      throw new RunError(
        `stack ${id} has error annotations:\n  ${errors.map((e) => e.message).join("\n  ")}`,
      );
    }
    const tf = JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), "utf8")) as {
      resource?: Record<string, Record<string, unknown>>;
      data?: Record<string, Record<string, unknown>>;
    };
    for (const block of [tf.resource ?? {}, tf.data ?? {}]) {
      for (const byId of Object.values(block)) count += Object.keys(byId).length;
    }
  }
  return count;
}
