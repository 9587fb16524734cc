/**
 * `npm test`: lint, type-check and the synth of every blueprint, side by side, then Jest.
 *
 * Each of the first three keeps about one core busy (eslint and prettier, tsc, one synth process)
 * and the machine has two, so running them at once takes about half of running them one after
 * the other; Jest then uses both cores on its own. Each check's output is printed whole, in this
 * order, once it has finished (or after 10 minutes, or on Ctrl-C, with what it printed so far).
 * Any failing check fails the run before Jest starts, as `a && b` would. Arguments go to Jest
 * (`npm test -- -t "port changes"`).
 */
import { spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { clearTimeout, setTimeout } from "node:timers";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** A check that runs longer than this is stopped and reported with the output it has. */
const CHECK_TIMEOUT_MS = 10 * 60_000;
const running = new Map();

/** Runs `npm run <script>` with its output captured (both streams, in order). */
function check(script) {
  return new Promise((done) => {
    const child = spawn(npm, ["run", "--silent", script], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    const result = { script, code: 0, output: "", note: "" };
    running.set(script, { child, result });
    child.stdout.on("data", (chunk) => (result.output += chunk));
    child.stderr.on("data", (chunk) => (result.output += chunk));
    const timer = setTimeout(() => {
      result.note = `timed out after ${CHECK_TIMEOUT_MS / 1000} s`;
      child.kill("SIGTERM");
    }, CHECK_TIMEOUT_MS);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      running.delete(script);
      result.code = code ?? (signal ? 1 : 0);
      done(result);
    });
  });
}

function print({ script, code, output, note }) {
  const status = note || (code === 0 ? "" : `failed, exit ${code}`);
  process.stdout.write(`> ${script}${status ? ` (${status})` : ""}\n${output}`);
  if (!output.endsWith("\n") && output.length > 0) process.stdout.write("\n");
}

// Interrupted while the checks run: stop them and show what each printed so far.
for (const signal of ["SIGINT", "SIGTERM"])
  process.on(signal, () => {
    for (const { child, result } of running.values()) {
      child.kill("SIGTERM");
      print({ ...result, note: "interrupted" });
    }
    process.exit(signal === "SIGINT" ? 130 : 143);
  });

const started = Date.now();
const checks = await Promise.all(["lint", "typecheck", "synth:all"].map(check));
for (const result of checks) print(result);
const failed = checks.filter((c) => c.code !== 0);
if (failed.length > 0) {
  console.error(`npm test: ${failed.map((c) => c.script).join(", ")} failed; Jest did not run`);
  process.exit(1);
}
console.log(
  `> lint, typecheck and synth:all passed in ${((Date.now() - started) / 1000).toFixed(1)} s\n> jest`,
);
for (const signal of ["SIGINT", "SIGTERM"]) process.removeAllListeners(signal);
const jest = spawn(
  process.execPath,
  [resolve(root, "node_modules/jest/bin/jest.js"), ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: "inherit",
  },
);
jest.on("close", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
