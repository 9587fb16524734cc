/**
 * The commands the scripts and docs issue, run with the real CLI of the runtime (cdktf, or
 * cdktn-cli with CDK_RUNTIME=cdktn, which the cdktn leg of .ci/run sets) on the synthesized app
 * and no AWS credentials: each must pass the CLI's own checks (stack names, dependencies,
 * flags) and stop only where Terraform needs credentials (`terraform init` of the S3 backend).
 * Nothing here mocks a decision of the CLI. Slow (~5 s per CLI run): at most two run at once,
 * each with its own output directory (CDKTF_OUTPUT, the CLI's --output); generous timeouts, because
 * on a shared, loaded machine one run can take far longer than its ~5 s.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { STACK_IDS } from "../../stacks/base";
import { STATE_STACK_ID } from "../../stacks/state-stack";

const ROOT = join(__dirname, "..", "..");
const work = mkdtempSync(join(tmpdir(), "cli-lifecycle-"));
const home = join(work, "home");
mkdirSync(home);
// An empty Terraform CLI configuration: no provider mirrors or credentials of the machine.
const terraformrc = join(home, ".terraformrc");
writeFileSync(terraformrc, "");

/** The environment of a user without any AWS credentials (and no TF_CLI_ARGS of their own). */
function withoutCredentials(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(AWS_|TF_CLI_ARGS|CDKTF_|BLUEPRINT$|ENVIRONMENT_SUFFIX$|TF_STATE_|CDK_RUNTIME$)/.test(key))
      continue;
    env[key] = value;
  }
  return {
    ...env,
    HOME: home,
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: join(home, "no-aws-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, "no-aws-credentials"),
    CHECKPOINT_DISABLE: "1",
    TF_CLI_CONFIG_FILE: terraformrc,
    CDK_RUNTIME: RUNTIME,
    npm_config_update_notifier: "false",
    ...extra,
  };
}

interface Run {
  readonly line: string;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr, without colour codes. */
  readonly output: string;
}

// eslint-disable-next-line no-control-regex
const plain = (text: string) => text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, "");

/** The runtime under test: its CLI runs every command (`npx cdktn ...` on cdktn, as the README says). */
const RUNTIME = process.env.CDK_RUNTIME === "cdktn" ? "cdktn" : "cdktf";

/**
 * `npx cdktf` (`npx cdktn`) only finds node_modules/.bin/cdktf (cdktn), the CLI this repository
 * installs: running that file directly makes the same CLI take the same decisions, without npm's
 * ~1 s start-up per run.
 */
const isCli = (w: string | undefined) => w === "cdktf" || w === "cdktn";
const withoutNpx = (words: string[]) =>
  words.flatMap((w, i) =>
    w === "npx" && isCli(words[i + 1])
      ? []
      : isCli(w) && words[i - 1] === "npx"
        ? [join(ROOT, "node_modules", ".bin", w)]
        : [w],
  );

/** Runs a command line as argv split on spaces (no shell), in the repository. */
function run(line: string, env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<Run> {
  const [program, ...args] = withoutNpx(line.split(" "));
  return new Promise((resolve) => {
    const child = spawn(program, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ line, code, stdout, stderr, output: plain(stdout + stderr) });
    });
  });
}

/** Runs `jobs` with at most `limit` at a time. */
async function pool<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

/**
 * Every `cdktf deploy|diff|destroy <stack>...` the README, the docs, package.json and the
 * workflows tell someone to run, as verb + stacks. `npm run deploy` counts as its script.
 */
function documentedCommands(): { verb: string; stacks: string[]; where: string }[] {
  const docs = [
    "README.md",
    ...readdirSync(join(ROOT, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  const workflows = readdirSync(join(ROOT, ".github", "workflows")).map((f) => `.github/workflows/${f}`);
  const scripts: Record<string, string> = JSON.parse(
    readFileSync(join(ROOT, "package.json"), "utf8"),
  ).scripts;
  const found: { verb: string; stacks: string[]; where: string }[] = [];
  for (const file of [...docs, ...workflows]) {
    const text = readFileSync(join(ROOT, file), "utf8").replace(/\bnpm run deploy\b/g, scripts.deploy);
    for (const m of text.matchAll(/\bcdktf (deploy|diff|destroy)((?: [a-z]+)+)/g)) {
      const words = m[2].trim().split(" ");
      const end = words.findIndex((w) => ![...STACK_IDS, STATE_STACK_ID].includes(w as never));
      const named = end === -1 ? words : words.slice(0, end);
      if (named.length > 0) found.push({ verb: m[1], stacks: named, where: file });
    }
  }
  return found;
}

const ENV = withoutCredentials({ ENVIRONMENT_SUFFIX: "dev" });
/** A fresh output directory per CLI run, so parallel runs never share cdktf.out. */
const outputDir = (name: string) => {
  const dir = join(work, "out", name);
  mkdirSync(dir, { recursive: true });
  return dir;
};

describe(`the real ${RUNTIME} CLI, without AWS credentials`, () => {
  let dryRun: Run;
  let destroyRuns: Run[];
  let documentedRuns: Run[];
  let documented: ReturnType<typeof documentedCommands>;

  beforeAll(async () => {
    dryRun = await run("npm run --silent destroy -- --dry-run", ENV);
    const lines = dryRun.stdout.split("\n").filter(Boolean);
    const destroyLines = lines.map((l) => l.replace(/^would run: /, ""));
    documented = documentedCommands();
    // One run per distinct verb and set of stacks. The state stack is left out: it has a local
    // backend, so its `terraform init` downloads the AWS provider (no network here), and it is
    // never part of an environment's lifecycle.
    const distinct = new Map<string, string>();
    for (const c of documented) {
      if (c.stacks.includes(STATE_STACK_ID) || c.verb === "destroy") continue;
      const key = `${c.verb} ${[...c.stacks].sort().join(" ")}`;
      if (!distinct.has(key)) distinct.set(key, `npx ${RUNTIME} ${c.verb} ${c.stacks.join(" ")}`);
    }
    const lineJobs = [...destroyLines, ...distinct.values()].map(
      (line, i) => () => run(line, { ...ENV, CDKTF_OUTPUT: outputDir(String(i)) }),
    );
    const results = await pool(lineJobs, 2);
    destroyRuns = results.slice(0, destroyLines.length);
    documentedRuns = results.slice(destroyLines.length);
  }, 300_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test("npm run destroy -- --dry-run prints one `would run:` line per stack on stdout, and nothing else", () => {
    expect(dryRun.code).toBe(0);
    const lines = dryRun.stdout.split("\n").filter(Boolean);
    expect(lines).toHaveLength(4);
    for (const line of lines)
      expect(line).toMatch(
        new RegExp(
          `^would run: env BLUEPRINT=trading ENVIRONMENT_SUFFIX=dev TF_STATE_BUCKET=\\S+ TF_STATE_REGION=\\S+ TF_CLI_ARGS_destroy=-lock-timeout=\\d+m npx ${RUNTIME} destroy `,
        ),
      );
    expect(dryRun.stderr).toMatch(/^destroying trading\/dev /m);
  });

  test("Terraform takes the lock timeout the destroy commands pass through TF_CLI_ARGS_destroy", async () => {
    // `terraform destroy` in an empty directory needs no provider and no credentials: it only
    // parses its arguments (TF_CLI_ARGS_destroy among them) and finds nothing to destroy.
    const assignments = dryRun.stdout
      .split("\n")[0]
      .replace(/^would run: env /, "")
      .split(" ")
      .filter((w) => /^TF_CLI_ARGS_\w*=/.test(w));
    expect(assignments).toEqual([expect.stringMatching(/^TF_CLI_ARGS_destroy=-lock-timeout=\d+m$/)]);
    const empty = mkdtempSync(join(work, "empty-"));
    const terraform = (assignment: string) =>
      spawnSync("terraform", ["destroy", "-auto-approve", "-input=false", "-no-color"], {
        cwd: empty,
        env: { ...ENV, [assignment.split("=")[0]]: assignment.slice(assignment.indexOf("=") + 1) },
        encoding: "utf8",
      });
    const taken = terraform(assignments[0]);
    expect(taken.status).toBe(0);
    expect(taken.stdout).toMatch(/Destroy complete! Resources: 0 destroyed/);
    // and Terraform does check what it reads there
    const misspelt = terraform(assignments[0].replace("-lock-timeout", "-lock-timeoutx"));
    expect(misspelt.status).not.toBe(0);
    expect(misspelt.stderr).toMatch(/flag provided but not defined: -lock-timeoutx/);
  });

  const passesTheCliChecks = (r: Run) => {
    expect({
      line: r.line,
      usageError:
        /Usage Error|are not included in the stacks to run|Could not find stack|Unknown argument/i.test(
          r.output,
        ),
    }).toEqual({ line: r.line, usageError: false });
  };
  const stopsForCredentials = (r: Run, stack: string) => {
    expect(r.code).not.toBe(0);
    // The stack's own terraform init (cdktf puts the stack name in front of its output) fails
    // at the S3 backend, the first step that needs AWS.
    expect(r.output).toMatch(new RegExp(`^${stack} {2,}\\S`, "m"));
    expect(r.output).toMatch(/Initializing the backend\.\.\.[\s\S]*Error: No valid credential sources found/);
    expect(r.output).toMatch(/terraform init failed/);
  };

  /** The stack a destroy command names (the word after `destroy`). */
  const stackOf = (line: string) => line.split(" ")[line.split(" ").indexOf("destroy") + 1];

  test("every destroy command passes the CLI's checks and stops only for want of credentials", () => {
    expect(destroyRuns.map((r) => stackOf(r.line))).toEqual([
      "observability",
      "platform",
      "registry",
      "network",
    ]);
    for (const r of destroyRuns) {
      passesTheCliChecks(r);
      stopsForCredentials(r, stackOf(r.line));
    }
  });

  test("the docs and workflows issue the deploy commands the lifecycle needs", () => {
    const keys = documented.map((c) => `${c.verb} ${c.stacks.join(" ")}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        "deploy network platform",
        "deploy network registry platform observability",
        "deploy network registry",
        "diff platform",
      ]),
    );
  });

  test("every documented deploy and diff passes the CLI's checks and stops only for want of credentials", () => {
    expect(documentedRuns.length).toBeGreaterThanOrEqual(4);
    // On CDK_RUNTIME=cdktn this is cdktn-cli: `cdktn deploy network platform` among them.
    for (const r of documentedRuns) expect(r.line).toMatch(new RegExp(`^npx ${RUNTIME} (deploy|diff) `));
    for (const r of documentedRuns) {
      passesTheCliChecks(r);
      // The CLI initializes the named stacks one after the other, the first named first.
      stopsForCredentials(r, r.line.split(" ")[3]);
    }
  });
});
