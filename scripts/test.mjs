/**
 * `npm test`: lint, type-check and the synth of every blueprint, side by side, then Jest.
 *
 * Each of the first three keeps about one core busy (eslint and prettier, tsc, one synth process)
 * and the machine has two, so running them at once takes about half of running them one after
 * the other; Jest then uses both cores on its own. Each check's output is printed whole, in this
 * order, once it has finished. Any failing check fails the run before Jest starts, as `a && b`
 * would. Arguments go to Jest (`npm test -- -t "port changes"`).
 */
import { spawn } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

/** Runs `npm run <script>` with its output captured (both streams, in order). */
function check(script) {
  return new Promise((done) => {
    const child = spawn(npm, ["run", "--silent", script], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("close", (code, signal) => done({ script, code: code ?? (signal ? 1 : 0), output }));
  });
}

const started = Date.now();
const checks = await Promise.all(["lint", "typecheck", "synth:all"].map(check));
for (const { script, code, output } of checks) {
  process.stdout.write(`> ${script}${code === 0 ? "" : ` (failed, exit ${code})`}\n${output}`);
  if (!output.endsWith("\n") && output.length > 0) process.stdout.write("\n");
}
const failed = checks.filter((c) => c.code !== 0);
if (failed.length > 0) {
  console.error(`npm test: ${failed.map((c) => c.script).join(", ")} failed; Jest did not run`);
  process.exit(1);
}
console.log(
  `> lint, typecheck and synth:all passed in ${((Date.now() - started) / 1000).toFixed(1)} s\n> jest`,
);
const jest = spawn(
  process.execPath,
  [resolve(root, "node_modules/jest/bin/jest.js"), ...process.argv.slice(2)],
  {
    cwd: root,
    stdio: "inherit",
  },
);
jest.on("close", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
