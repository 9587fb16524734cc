/**
 * `npm run release` as a user runs it: an unknown service or a bad tag is answered from the
 * local blueprint before any synthesis, Terraform or AWS call. Proven on the real entry point
 * (node --import tsx, as package.json runs it): exit code, message, and that neither the AWS
 * SDK nor cdktf was even loaded.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT } from "../../scripts/release/cli";

const ROOT = join(__dirname, "..", "..");
// Prints, at exit, every loaded module path that belongs to the AWS SDK or cdktf.
const hook = join(mkdtempSync(join(tmpdir(), "release-startup-")), "loaded.cjs");
writeFileSync(
  hook,
  `process.on("exit", () => {
    const heavy = Object.keys(require.cache).filter((p) => /node_modules\\/(@aws-sdk|cdktf|@cdktf)\\//.test(p));
    process.stderr.write("HEAVY:" + heavy.length + "\\n");
  });`,
);

function releaseCli(args: string[], env: Record<string, string> = {}) {
  const started = Date.now();
  const run = spawnSync(
    process.execPath,
    ["--require", hook, "--import", "tsx", "scripts/release/index.ts", ...args],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, BLUEPRINT: "trading", ENVIRONMENT_SUFFIX: "dev", ...env },
    },
  );
  return { ...run, ms: Date.now() - started };
}

test("package.json runs the release CLI in one node process (no tsx launcher)", () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  expect(pkg.scripts.release).toBe("node --import tsx scripts/release/index.ts");
});

test("an unknown service is refused with the blueprint's services, without loading the AWS SDK or cdktf", () => {
  const run = releaseCli(["--service", "nope", "--image-tag", "v1"]);
  expect(run.status).toBe(EXIT.usage);
  expect(run.stderr).toContain(
    'release: unknown service "nope" in blueprint trading (built-in:trading); its services: api-gateway, frontend, processing-service',
  );
  expect(run.stderr).toContain("HEAVY:0");
  // 2 s on an idle machine; the bound leaves room for the test runner's own load.
  expect(run.ms).toBeLessThan(6000);
});

test("a missing image tag is refused at once with the usage", () => {
  const run = releaseCli(["--service", "frontend"]);
  expect(run.status).toBe(EXIT.usage);
  expect(run.stderr).toMatch(/missing --image-tag <tag>[\s\S]*usage: npm run release/);
  expect(run.stderr).toContain("HEAVY:0");
});
