/**
 * `scripts/destroy.ts` started as a person or CI starts it (a process, real stdin, stdout and
 * stderr, exit status): what it refuses before anything runs. The dry run's output is checked
 * through `npm run destroy` in cli-lifecycle.test.ts, which also runs the commands it prints.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
// The pseudo-terminal library the cdktf CLI runs Terraform in: here, the person at a terminal.
import { spawn as spawnPty } from "@cdktf/node-pty-prebuilt-multiarch";

const ROOT = join(__dirname, "..", "..");
const TSX = join(ROOT, "node_modules", ".bin", "tsx");

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the script with `args` and an environment without the app's variables; stdin is a pipe. */
function destroy(args: string[], env: Record<string, string> = {}): Promise<Result> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(ENVIRONMENT_SUFFIX|BLUEPRINT|CDK_RUNTIME|TF_STATE_BUCKET|TF_STATE_REGION)$/.test(k),
    ),
  );
  return new Promise((resolve) => {
    const child = spawn(TSX, ["scripts/destroy.ts", ...args], {
      cwd: ROOT,
      env: { ...base, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Runs the script on a terminal with ENVIRONMENT_SUFFIX=dev and types `keys` when it asks for
 * the environment. Resolves to the exit code and everything the terminal showed.
 */
function destroyAtTerminal(keys: string): Promise<{ code: number; screen: string }> {
  return new Promise((resolve) => {
    const terminal = spawnPty(TSX, ["scripts/destroy.ts"], {
      cwd: ROOT,
      env: { ...process.env, ENVIRONMENT_SUFFIX: "dev", BLUEPRINT: "trading" } as Record<string, string>,
      cols: 200,
      rows: 30,
    });
    let screen = "";
    let typed = false;
    terminal.onData((data) => {
      screen += data;
      if (!typed && screen.includes("to confirm: ")) {
        typed = true;
        terminal.write(keys);
      }
    });
    terminal.onExit(({ exitCode }) => resolve({ code: exitCode, screen }));
  });
}

describe("npm run destroy, as a process", () => {
  let missingSuffix: Result;
  let noTerminal: Result;
  let help: Result;
  let wrongAnswer: { code: number; screen: string };

  beforeAll(async () => {
    // (Ctrl-C at the question is covered by destroy.test.ts: one process fewer here.)
    [missingSuffix, noTerminal, help, wrongAnswer] = await Promise.all([
      destroy(["--yes"]),
      destroy([], { ENVIRONMENT_SUFFIX: "dev" }),
      destroy(["--help"]),
      destroyAtTerminal("trading/prod\r"),
    ]);
  }, 60_000);

  test("at a terminal, asks for <blueprint>/<suffix>; a wrong answer aborts with nothing run (exit 2)", () => {
    expect(wrongAnswer.screen).toMatch(/Type trading\/dev to confirm: /);
    expect(wrongAnswer.screen).toMatch(/aborted: "trading\/prod" is not trading\/dev; nothing was destroyed/);
    expect(wrongAnswer.screen).not.toMatch(/cdktf destroy/);
    expect(wrongAnswer.code).toBe(2);
  });

  test("refuses without ENVIRONMENT_SUFFIX: exit 2, the variable and how to set it on stderr", () => {
    expect(missingSuffix.code).toBe(2);
    expect(missingSuffix.stdout).toBe("");
    expect(missingSuffix.stderr).toMatch(
      /^error: ENVIRONMENT_SUFFIX is not set: .* e\.g\. ENVIRONMENT_SUFFIX=dev npm run destroy\n$/,
    );
  });

  test("refuses at once when stdin is not a terminal and --yes is not given (never waits for input)", () => {
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stdout).toBe("");
    expect(noTerminal.stderr).toMatch(/stdin is not a terminal.*pass --yes to destroy trading\/dev/);
  });

  test("--help explains usage, flags, environment, stack order, what is kept and exit codes", () => {
    expect(help.code).toBe(0);
    expect(help.stderr).toBe("");
    for (const part of [
      /^Usage: npm run destroy -- \[<stack>\.\.\.\] \[--yes\] \[--dry-run\] \[--environment <blueprint>\/<suffix>\] \[--help\]/,
      /--yes {3}/,
      /--dry-run {3}/,
      /ENVIRONMENT_SUFFIX {2}required/,
      /CDK_RUNTIME/,
      /observability, platform, registry, network/,
      /"state" stack/,
      /-lock-timeout=5m/,
      /Exit codes:/,
    ]) {
      expect(help.stdout).toMatch(part);
    }
  });
});
