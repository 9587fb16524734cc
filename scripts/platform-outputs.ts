/**
 * Reads the deployed platform stack's outputs with `npx cdktf output platform` (or the CLI
 * CDK_RUNTIME selects) into a temp file
 * and hands the file to `read` (the release manifest, the one-off task list). Sensitive outputs
 * stay out of the file, and the temp directory is removed either way.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cdkCli } from "./cli-runtime";

/** Runs a command; injectable so tests never start the cdktf CLI. */
export type CommandRunner = (command: string, args: string[]) => void;

export const defaultRunner: CommandRunner = (command, args) => {
  // stdout of cdktf goes to stderr so the CLI's own stdout stays the tool's log.
  execFileSync(command, args, { stdio: ["ignore", process.stderr, process.stderr] });
};

export function readPlatformOutputs<T>(
  read: (file: string) => T,
  onError: (message: string) => Error,
  run: CommandRunner = defaultRunner,
  env: Readonly<Record<string, string | undefined>> = process.env,
): T {
  const [program, ...cli] = cdkCli(env);
  const dir = mkdtempSync(join(tmpdir(), "platform-outputs-"));
  const file = join(dir, "outputs.json");
  try {
    try {
      run(program, [
        ...cli,
        "output",
        "platform",
        "--outputs-file",
        file,
        "--outputs-file-include-sensitive-outputs=false",
      ]);
    } catch (error) {
      throw onError(
        `could not read the platform outputs with \`${[program, ...cli].join(" ")} output platform\` (${(error as Error).message}); ` +
          "check ENVIRONMENT_SUFFIX/BLUEPRINT and AWS credentials, or pass --manifest <file>",
      );
    }
    return read(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
