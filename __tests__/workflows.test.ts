/**
 * The GitHub Actions workflows are code too: parsed here so `npm test` catches a command that
 * no longer exists, an unpinned action, a missing permission block, or an ephemeral
 * environment that could outlive its run. Also covers the PR diff comment renderer.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { loadConfig } from "../config";
import { STACK_IDS } from "../stacks/base";
import { destroyPlan, parseArgs } from "../scripts/destroy";
import { cdkCli } from "../scripts/cli-runtime";
import { ENVIRONMENT_SUFFIX_MAX, ENVIRONMENT_SUFFIX_PATTERN } from "../modules/naming";
import {
  DIFF_STACKS,
  marker,
  readDiffs,
  renderComment,
  run as renderFromArgs,
  StackDiff,
  summarizeDiff,
} from "../scripts/pr-diff-comment";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ROOT = join(__dirname, "..");
const WORKFLOW_DIR = join(ROOT, ".github", "workflows");
const files = readdirSync(WORKFLOW_DIR).filter((f) => /\.ya?ml$/.test(f));
const raw: Record<string, string> = Object.fromEntries(
  files.map((f) => [f, readFileSync(join(WORKFLOW_DIR, f), "utf8")]),
);
const workflows: Record<string, Json> = Object.fromEntries(files.map((f) => [f, parse(raw[f])]));
const scripts: Record<string, string> = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).scripts;

const steps = (wf: Json): Json[] =>
  Object.values(wf.jobs as Record<string, Json>).flatMap((j) => j.steps ?? []);
const runLines = (wf: Json): string[] =>
  steps(wf)
    .filter((s) => typeof s.run === "string")
    .flatMap((s) => (s.run as string).split("\n").map((l) => l.trim()));
const usesOf = (job: Json): string[] => (job.steps ?? []).map((s: Json) => s.uses).filter(Boolean);
/** A job that calls a reusable workflow of this repository (`uses: ./.github/workflows/x.yml`). */
const calledWorkflow = (job: Json): Json | undefined =>
  typeof job.uses === "string" && job.uses.startsWith("./.github/workflows/")
    ? workflows[job.uses.replace("./.github/workflows/", "")]
    : undefined;
/** Whether a job (or the reusable workflow it calls) configures AWS credentials. */
const assumesRole = (job: Json): boolean => {
  const called = calledWorkflow(job);
  if (called) return Object.values(called.jobs as Record<string, Json>).some(assumesRole);
  return usesOf(job).some((u) => u.startsWith("aws-actions/configure-aws-credentials@"));
};

describe("every workflow", () => {
  test("the day-2 workflows exist", () => {
    expect(files).toEqual(
      expect.arrayContaining(["pull-request.yml", "ephemeral.yml", "promote.yml", "deploy-environment.yml"]),
    );
  });

  test.each(files)("%s: every reusable workflow it calls exists and is callable", (file) => {
    for (const job of Object.values(workflows[file].jobs as Record<string, Json>)) {
      if (typeof job.uses !== "string") continue;
      const called = calledWorkflow(job);
      expect(called).toBeDefined();
      expect(called!.on).toHaveProperty("workflow_call");
      for (const [name, input] of Object.entries(called!.on.workflow_call.inputs as Record<string, Json>))
        if (input.required) expect(job.with).toHaveProperty(name);
    }
  });

  test.each(files)("%s: every `npm run X` and `npm test` names a script of package.json", (file) => {
    const named = runLines(workflows[file]).flatMap((line) => {
      const npmRun = [...line.matchAll(/\bnpm run ([\w:-]+)/g)].map((m) => m[1]);
      const npmTest = /\bnpm (test|t)\b/.test(line) ? ["test"] : [];
      return [...npmRun, ...npmTest];
    });
    expect(named.filter((s) => !(s in scripts))).toEqual([]);
  });

  test.each(files)("%s: every `npx tsx <file>` runs a file of the repository", (file) => {
    const targets = runLines(workflows[file]).flatMap((l) =>
      [...l.matchAll(/\bnpx tsx (\S+)/g)].map((m) => m[1]),
    );
    expect(targets.filter((t) => !existsSync(join(ROOT, t)))).toEqual([]);
  });

  test.each(files)("%s: every `cdktf deploy/diff` names known stacks only", (file) => {
    // The diff loop's "$stack" is checked against STACK_IDS by the pull-request tests.
    const stacks = runLines(workflows[file]).flatMap((l) => {
      const m = /^npx cdktf (?:deploy|diff) ((?:[a-z]+ )+)/.exec(l);
      return m ? m[1].trim().split(" ") : [];
    });
    expect(stacks.filter((s) => !(STACK_IDS as readonly string[]).includes(s))).toEqual([]);
  });

  test.each(files)("%s: every action is pinned to a commit SHA with its version in a comment", (file) => {
    // Reusable workflows of this repository (`./.github/...`) are versioned with the code.
    const uses = raw[file].split("\n").filter((l) => /^\s*(- )?uses:/.test(l) && !/uses: \.\//.test(l));
    // A workflow that only calls reusable workflows of this repository has no action of its own.
    expect(uses.length > 0).toBe(steps(workflows[file]).length > 0);
    for (const line of uses) {
      expect(line).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  test.each(files)("%s: grants nothing by default and declares permissions per job", (file) => {
    const wf = workflows[file];
    expect(wf.permissions).toEqual({});
    for (const job of Object.values(wf.jobs as Record<string, Json>)) {
      expect(job.permissions).toEqual(expect.any(Object));
    }
  });

  test.each(files)("%s: id-token: write only where AWS credentials are configured", (file) => {
    for (const job of Object.values(workflows[file].jobs as Record<string, Json>)) {
      // A caller grants what its reusable workflow's jobs use (they can only reduce it).
      expect(job.permissions["id-token"] === "write").toBe(assumesRole(job));
    }
  });

  test.each(files)("%s: pull-requests: write only where a comment is posted", (file) => {
    for (const job of Object.values(workflows[file].jobs as Record<string, Json>)) {
      const comments = usesOf(job).some((u) => u.startsWith("actions/github-script@"));
      expect(job.permissions["pull-requests"] === "write").toBe(comments);
    }
  });

  test.each(files.filter((f) => steps(workflows[f]).length > 0))(
    "%s: Terraform runs without the stdout wrapper cdktf cannot parse",
    (file) => {
      const setups = steps(workflows[file]).filter((s) =>
        String(s.uses).startsWith("hashicorp/setup-terraform@"),
      );
      expect(setups.length).toBeGreaterThan(0);
      for (const s of setups) expect(s.with.terraform_wrapper).toBe(false);
    },
  );

  test.each(files)("%s: checkout does not leave the token in .git/config", (file) => {
    const checkouts = steps(workflows[file]).filter((s) => String(s.uses).startsWith("actions/checkout@"));
    for (const s of checkouts) expect(s.with["persist-credentials"]).toBe(false);
  });
});

describe("pull-request workflow", () => {
  const wf = workflows["pull-request.yml"];

  test("runs on pull requests", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
  });

  test("installs with npm ci and runs npm test on node 20 with the npm cache", () => {
    const test = wf.jobs.test;
    const node = test.steps.find((s: Json) => String(s.uses).startsWith("actions/setup-node@"));
    expect(node.with).toEqual({ "node-version": "${{ env.NODE_VERSION }}", cache: "npm" });
    expect(wf.env.NODE_VERSION).toBe("20");
    expect(test.steps.map((s: Json) => s.run).filter(Boolean)).toEqual(["npm ci", "npm test"]);
  });

  test("diffs after the tests pass, with credentials from the OIDC role variable", () => {
    expect(wf.jobs.diff.needs).toBe("test");
    const aws = wf.jobs.diff.steps.find((s: Json) =>
      String(s.uses).startsWith("aws-actions/configure-aws-credentials@"),
    );
    expect(aws.with["role-to-assume"]).toBe("${{ vars.AWS_DIFF_ROLE_ARN }}");
    expect(aws.with["aws-region"]).toMatch(/vars\.AWS_REGION/);
  });

  test("diffs every deployable stack of the environment", () => {
    const loop = runLines(wf).find((l) => l.startsWith("for stack in"));
    expect(loop).toBe(`for stack in ${STACK_IDS.join(" ")}; do`);
    expect([...DIFF_STACKS]).toEqual([...STACK_IDS]);
  });

  test("takes the environment and blueprint from repository variables", () => {
    expect(wf.jobs.diff.env).toMatchObject({
      ENVIRONMENT_SUFFIX: "${{ vars.ENVIRONMENT_SUFFIX || 'dev' }}",
      BLUEPRINT: "${{ vars.BLUEPRINT || 'trading' }}",
    });
  });

  test("plans without the state lock (the diff role is read-only)", () => {
    expect(wf.jobs.diff.env.TF_CLI_ARGS_plan).toBe("-lock=false");
  });

  test("posts the summary even when a diff failed, updating the comment that carries the marker", () => {
    expect(wf.jobs.comment.if).toMatch(/^always\(\) && needs\.diff\.outputs\.comment != ''$/);
    const script: string = wf.jobs.comment.steps[0].with.script;
    expect(script).toMatch(/const marker = body\.split\("\\n"\)\[0\]/);
    expect(script).toMatch(/c\.body\?\.startsWith\(marker\)/);
    expect(script).toMatch(/updateComment\([\s\S]*createComment\(/);
  });

  test("summarizes with the renderer whose marker the comment job looks for", () => {
    expect(runLines(wf).some((l) => l.startsWith("npx tsx scripts/pr-diff-comment.ts --dir diff"))).toBe(
      true,
    );
    expect(wf.jobs.diff.outputs.comment).toBe("${{ steps.summary.outputs.comment }}");
  });
});

describe("ephemeral workflow", () => {
  const wf = workflows["ephemeral.yml"];
  const job = wf.jobs.ephemeral;
  const named = (name: string) => job.steps.find((s: Json) => s.name === name);

  test("runs manually with a PR number, and on labeled and closed pull requests", () => {
    expect(wf.on.workflow_dispatch.inputs.pr).toMatchObject({ required: true, type: "number" });
    expect(wf.on.pull_request.types).toEqual(["labeled", "closed"]);
  });

  test("runs one at a time per pull request and is never cancelled", () => {
    expect(wf.concurrency).toEqual({
      group: "ephemeral-pr-${{ github.event.pull_request.number || inputs.pr }}",
      "cancel-in-progress": false,
    });
  });

  test("names the environment pr<number>, a valid environment suffix", () => {
    expect(job.env.ENVIRONMENT_SUFFIX).toBe("pr${{ github.event.pull_request.number || inputs.pr }}");
    const longest = "pr9999999";
    expect(ENVIRONMENT_SUFFIX_PATTERN.test(longest) && longest.length <= ENVIRONMENT_SUFFIX_MAX).toBe(true);
  });

  test("deploys every stack, registry before the services, with outputs to a file", () => {
    expect(named("Deploy network and registry").run).toBe(
      "npx cdktf deploy network registry --auto-approve --outputs-file cdktf-outputs.json",
    );
    expect(named("Deploy all stacks").run).toBe(
      "npm run deploy -- --auto-approve --outputs-file cdktf-outputs.json",
    );
    expect(scripts.deploy).toBe(`node scripts/runtime.cjs cli deploy ${STACK_IDS.join(" ")}`);
  });

  test("releases every service of the manifest with the seeded tag after the bootstrap deploy, before the smoke check", () => {
    const names = job.steps.map((s: Json) => s.name);
    const release = named("Release seeded images");
    expect(names.indexOf("Deploy all stacks")).toBeLessThan(names.indexOf("Release seeded images"));
    expect(names.indexOf("Release seeded images")).toBeLessThan(names.indexOf("Smoke check"));
    expect(release.if).toBe("env.DEPLOY == 'true' && vars.EPHEMERAL_IMAGE_SOURCE != ''");
    expect(release.run).toMatch(
      /\.platform\.release_manifest \| \(if type == "string" then fromjson else \. end\) \| keys\[\]/,
    );
    expect(release.run).toMatch(
      /npm run release -- --service "\$service" --image-tag "\$TAG" --manifest cdktf-outputs\.json/,
    );
    expect(release.env.TAG).toBe("${{ vars.EPHEMERAL_IMAGE_TAG }}");
  });

  test("creates the database users after the deploy and before any release, when the blueprint has a database", () => {
    const names = job.steps.map((s: Json) => s.name);
    const bootstrap = named("Bootstrap database users");
    expect(names.indexOf("Deploy all stacks")).toBeLessThan(names.indexOf("Bootstrap database users"));
    expect(names.indexOf("Bootstrap database users")).toBeLessThan(names.indexOf("Release seeded images"));
    expect(bootstrap.if).toBe("env.DEPLOY == 'true'");
    expect(bootstrap.run).toMatch(/has\("db-bootstrap"\)/);
    expect(bootstrap.run).toMatch(/npm run task -- --service db-bootstrap --manifest cdktf-outputs\.json/);
  });

  test("seeds only a named, versioned tag (no latest default)", () => {
    const seed = named("Seed images");
    expect(seed.env.TAG).toBe("${{ vars.EPHEMERAL_IMAGE_TAG }}");
    expect(seed.run).toMatch(/if \[ -z "\$TAG" \]; then[\s\S]*exit 1/);
  });

  test("smoke-checks the ALB DNS name from the platform outputs with bounded retries", () => {
    const smoke = named("Smoke check");
    expect(smoke.run).toMatch(/jq -r --arg key "\$ALB_OUTPUT" '\.platform\[\$key\]/);
    expect(smoke.run).toMatch(/for attempt in \$\(seq 1 45\)/);
    expect(smoke.run).toMatch(/curl [^\n]*--location[\s\S]*--max-time 10 "http:\/\/\$dns\$SMOKE_PATH"/);
    expect(smoke["timeout-minutes"]).toBeLessThanOrEqual(30);
  });

  test("fails on a 5xx at once when images were released, and waits out only what is not a 5xx", () => {
    const smoke = named("Smoke check");
    expect(smoke.env.SEEDED).toBe("${{ vars.EPHEMERAL_IMAGE_SOURCE != '' }}");
    // An override of the expected status cannot admit a 5xx once images exist.
    expect(smoke.env.EXPECT).toBe(
      "${{ vars.EPHEMERAL_IMAGE_SOURCE != '' && (vars.SMOKE_EXPECT_STATUS || '^[23]') || '^[2-5]' }}",
    );
    const lines = (smoke.run as string).split("\n").map((l) => l.trim());
    const check = lines.indexOf('if [ "$SEEDED" = "true" ] && [[ "$code" =~ ^5 ]]; then');
    expect(check).toBeGreaterThan(0);
    expect(lines.slice(check, check + 4)).toContain("exit 1");
    expect(check).toBeLessThan(lines.indexOf('if [[ "$code" =~ $EXPECT ]]; then exit 0; fi'));
  });

  test("runs in the GitHub environment `ephemeral`, whose reviewers gate the role", () => {
    expect(job.environment).toBe("ephemeral");
  });

  test("always destroys, as the last step, with fresh credentials", () => {
    const last = job.steps.at(-1);
    expect(last).toMatchObject({ name: "Destroy", if: "always()" });
    expect(last.run).toMatch(/^npm run destroy\b/);
    const reauth = job.steps.at(-2);
    expect(reauth.if).toBe("always()");
    expect(String(reauth.uses)).toMatch(/^aws-actions\/configure-aws-credentials@/);
  });

  test("destroys with npm run destroy -- --yes: no prompt in CI, the suffix from the job", () => {
    expect(job.steps.at(-1).run).toBe("npm run destroy -- --yes");
    expect(job.env.ENVIRONMENT_SUFFIX).toBeTruthy();
  });

  test("destroys every stack, dependents first, with arguments scripts/destroy.ts accepts", () => {
    const args = job.steps
      .at(-1)
      .run.replace(/^npm run destroy( --)?/, "")
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    const options = parseArgs(args);
    expect(options).toMatchObject({ yes: true, dryRun: false, help: false });
    const plan = destroyPlan(
      loadConfig({ BLUEPRINT: "trading", ENVIRONMENT_SUFFIX: "pr123" }),
      options.stacks,
      cdkCli({}),
    );
    expect(plan.steps.map((s) => s.stack)).toEqual([...STACK_IDS].reverse());
  });

  test("leaves the destroy enough time within the job timeout (step timeouts + 10 min of setup)", () => {
    const stepMinutes = job.steps.reduce((sum: number, s: Json) => sum + (s["timeout-minutes"] ?? 0), 0);
    expect(job["timeout-minutes"]).toBeGreaterThanOrEqual(stepMinutes + 10);
  });

  test("skips deploy and smoke check for a PR closed without merging (cleanup only)", () => {
    expect(job.env.DEPLOY).toBe("${{ github.event.action != 'closed' || github.event.pull_request.merged }}");
    for (const name of ["Deploy network and registry", "Deploy all stacks", "Smoke check"]) {
      expect(named(name).if).toMatch(/^env\.DEPLOY == 'true'/);
    }
  });
});

describe("promote workflow", () => {
  const wf = workflows["promote.yml"];
  const jobs = wf.jobs as Record<string, Json>;

  test("runs on pushes to main and on release tags", () => {
    expect(wf.on).toEqual({ push: { branches: ["main"], tags: ["v*"] } });
  });

  test("a merge to main deploys dev; a tag deploys staging, then production after it", () => {
    expect(Object.keys(jobs)).toEqual(["dev", "staging", "production"]);
    expect(jobs.dev.if).toBe("github.ref == 'refs/heads/main'");
    expect(jobs.staging.if).toBe("startsWith(github.ref, 'refs/tags/v')");
    expect(jobs.production.needs).toBe("staging");
    // A skipped staging (a push to main) skips production: it only ever follows staging.
    expect(jobs.production.if).toBeUndefined();
  });

  test.each(["dev", "staging", "production"])(
    "%s deploys through deploy-environment.yml under its own name, a valid environment suffix",
    (name) => {
      expect(jobs[name].uses).toBe("./.github/workflows/deploy-environment.yml");
      expect(jobs[name].with).toEqual({ environment: name });
      expect(ENVIRONMENT_SUFFIX_PATTERN.test(name) && name.length <= ENVIRONMENT_SUFFIX_MAX).toBe(true);
    },
  );

  test("the example blueprint declares the three environments the workflow deploys", () => {
    const example = loadConfig({ BLUEPRINT: "examples/three-environments.yaml", ENVIRONMENT_SUFFIX: "dev" });
    expect(example.environment.environments).toEqual(Object.keys(jobs));
  });
});

describe("deploy-environment workflow", () => {
  const wf = workflows["deploy-environment.yml"];
  const job = wf.jobs.deploy;
  const named = (name: string) => job.steps.find((s: Json) => s.name === name);

  test("is callable only, with the environment as its one input", () => {
    expect(Object.keys(wf.on)).toEqual(["workflow_call"]);
    expect(wf.on.workflow_call.inputs.environment).toMatchObject({ required: true, type: "string" });
  });

  test("runs in the GitHub environment of that name, so its protection rules and OIDC subject apply", () => {
    expect(job.environment).toBe("${{ inputs.environment }}");
    expect(job.env.ENVIRONMENT_SUFFIX).toBe("${{ inputs.environment }}");
  });

  test("deploys one environment at a time and is never cancelled", () => {
    expect(job.concurrency).toEqual({
      group: "deploy-${{ inputs.environment }}",
      "cancel-in-progress": false,
    });
  });

  test("assumes the environment's own deploy role", () => {
    const creds = named("AWS credentials");
    expect(creds.with["role-to-assume"]).toBe("${{ vars.AWS_DEPLOY_ROLE_ARN }}");
  });

  test("shows the merged blueprint, deploys every stack and bootstraps the database users, in that order", () => {
    const names = job.steps.map((s: Json) => s.name).filter(Boolean);
    expect(named("Show the environment's blueprint").run).toBe(
      'npm run blueprint -- show "$BLUEPRINT" --environment "$ENVIRONMENT_SUFFIX"',
    );
    expect(named("Deploy all stacks").run).toBe(
      "npm run deploy -- --auto-approve --outputs-file cdktf-outputs.json",
    );
    expect(named("Bootstrap database users").run).toMatch(/npm run task -- --service db-bootstrap/);
    expect(names.indexOf("Show the environment's blueprint")).toBeLessThan(names.indexOf("AWS credentials"));
    expect(names.indexOf("Deploy all stacks")).toBeLessThan(names.indexOf("Bootstrap database users"));
  });

  test("never destroys", () => {
    expect(runLines(wf).filter((l) => /\bdestroy\b/.test(l))).toEqual([]);
  });

  test("ends with a smoke check that fails on 5xx: the health gate before the next environment", () => {
    const names = job.steps.map((s: Json) => s.name).filter(Boolean);
    expect(names[names.length - 1]).toBe("Smoke check");
    const smoke = named("Smoke check");
    expect(smoke.run).toMatch(/\.platform\[\$key\]/);
    expect(smoke.run).toMatch(/if \[\[ "\$code" =~ \^5 \]\]; then[\s\S]*?exit 1/);
    expect(smoke.run).toMatch(/for attempt in \$\(seq 1 20\)/);
    expect(smoke["timeout-minutes"]).toBeLessThanOrEqual(15);
    // promote.yml: production needs staging, i.e. staging's deploy and this check.
    expect(workflows["promote.yml"].jobs.production.needs).toBe("staging");
  });

  test("never makes the provider assume a role on top of the job's own (TF_ASSUME_ROLE unset)", () => {
    const all = JSON.stringify(Object.values(workflows));
    expect(all).not.toMatch(/TF_ASSUME_ROLE/);
  });
});

describe("OIDC trust per GitHub environment", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");

  test("every job that assumes a role runs in a GitHub environment, except the read-only diff", () => {
    const jobs = Object.entries(workflows).flatMap(([file, wf]) =>
      Object.entries(wf.jobs as Record<string, Json>).map(([id, job]) => ({ file, id, job })),
    );
    const withRole = jobs.filter(({ job }) => !calledWorkflow(job) && assumesRole(job));
    expect(withRole.filter(({ job }) => !job.environment).map(({ file, id }) => `${file}:${id}`)).toEqual([
      "pull-request.yml:diff",
    ]);
  });

  test("the README documents the trusted subject of each environment's role", () => {
    for (const name of ["dev", "staging", "production", "ephemeral"])
      expect(readme).toContain(`repo:<org>/<repo>:environment:${name}`);
    expect(readme).toMatch(/required reviewers/i);
  });

  test("the README does not let the ephemeral role trust every pull request", () => {
    const trust = readme.slice(readme.indexOf("## Environments"));
    expect(trust).toMatch(
      /`repo:<org>\/<repo>:pull_request`\s+is\s+trusted\s+by\s+the\s+read-only\s+diff\s+role\s+only/,
    );
  });
});

describe("PR diff summary", () => {
  const plan = (body: string) => `network  ${body}`;

  test("counts additions, changes and destructions from the plan line", () => {
    const d = summarizeDiff("network", plan("Plan: 12 to add, 3 to change, 1 to destroy."), 0);
    expect(d).toMatchObject({ status: "changes", add: 12, change: 3, destroy: 1, import: 0 });
  });

  test("counts imports when the plan has them", () => {
    expect(summarizeDiff("x", "Plan: 2 to import, 1 to add, 0 to change, 0 to destroy.", 0)).toMatchObject({
      import: 2,
      add: 1,
    });
  });

  test("reads through ANSI colour codes", () => {
    const d = summarizeDiff("x", "\u001b[1mPlan:\u001b[0m 1 to add, 0 to change, 0 to destroy.", 0);
    expect(d.add).toBe(1);
  });

  test("lists the resources that change, once each", () => {
    const log = [
      "platform    # aws_ecs_service.api will be updated in-place",
      "platform    # aws_lb_target_group.blue must be replaced",
      "platform    # aws_lb_target_group.blue must be replaced",
      "platform    # data.aws_iam_policy_document.x will be read during apply",
      "platform  Plan: 0 to add, 1 to change, 0 to destroy.",
    ].join("\n");
    expect(summarizeDiff("platform", log, 0).resources).toEqual([
      "aws_ecs_service.api will be updated in-place",
      "aws_lb_target_group.blue must be replaced",
    ]);
  });

  test("reports no changes", () => {
    expect(summarizeDiff("x", "No changes. Your infrastructure matches the configuration.", 0).status).toBe(
      "no-changes",
    );
  });

  test("reports output-only changes", () => {
    expect(summarizeDiff("x", "Changes to Outputs:\n  + alb_dns_name = (known after apply)", 0).status).toBe(
      "outputs-only",
    );
  });

  test("reports a failed diff with its first error line", () => {
    const d = summarizeDiff("x", "│ Error: No valid credential sources found\n│ more", 1);
    expect(d).toMatchObject({ status: "failed", error: "Error: No valid credential sources found" });
  });

  test("reports a failed diff without an error line by its exit code", () => {
    expect(summarizeDiff("x", "killed", 137).error).toBe("cdktf diff exited with code 137");
  });

  describe("comment", () => {
    const diffs: StackDiff[] = [
      summarizeDiff("network", "No changes.", 0),
      summarizeDiff(
        "platform",
        "  # aws_lb_target_group.blue must be replaced\nPlan: 1 to add, 0 to change, 1 to destroy.",
        0,
      ),
      summarizeDiff("observability", "Error: boom", 1),
    ];
    const body = renderComment(diffs, {
      environment: "staging",
      sha: "0123456789abcdef",
      runUrl: "https://run",
    });

    test("starts with the hidden marker of its environment", () => {
      expect(body.split("\n")[0]).toBe(marker("staging"));
      expect(marker("staging")).toBe("<!-- cdktf-diff-summary:staging -->");
    });

    test("has one table row per stack with its counts and status", () => {
      expect(body).toContain("| network | 0 | 0 | 0 | no changes |");
      expect(body).toContain("| platform | 1 | 0 | 1 ⚠️ | changes |");
      expect(body).toContain("| observability | 0 | 0 | 0 | **diff failed** |");
    });

    test("warns about destroyed or replaced resources", () => {
      expect(body).toMatch(
        /> \[!WARNING\]\n> 1 resource\(s\) destroyed or replaced:\n> - `platform`: aws_lb_target_group.blue must be replaced/,
      );
    });

    test("notes re-registered task definitions instead of warning about them (a release since the last deploy)", () => {
      const afterRelease = renderComment(
        [
          summarizeDiff(
            "platform",
            "  # aws_ecs_task_definition.service-api_task_1 must be replaced\n  # aws_lb_target_group.blue must be replaced\nPlan: 2 to add, 0 to change, 2 to destroy.",
            0,
          ),
        ],
        { environment: "staging", sha: "0123456789abcdef", runUrl: "https://run" },
      );
      expect(afterRelease).toMatch(
        /> 1 resource\(s\) destroyed or replaced:\n> - `platform`: aws_lb_target_group.blue must be replaced\n\n/,
      );
      expect(afterRelease).toMatch(
        /> \[!NOTE\]\n> 1 task definition revision\(s\) re-registered: a release or a task change/,
      );
    });

    test("names the commit and links the run", () => {
      expect(body).toContain("<sub>commit 0123456 · [workflow run](https://run)</sub>");
    });

    test("caps the resource list of a large stack", () => {
      const many = Array.from({ length: 70 }, (_, i) => `  # aws_s3_bucket.b${i} will be created`).join("\n");
      const big = renderComment(
        [summarizeDiff("registry", `${many}\nPlan: 70 to add, 0 to change, 0 to destroy.`, 0)],
        {
          environment: "dev",
        },
      );
      expect(big).toContain("- … and 10 more (see the workflow log)");
    });

    test("stays under GitHub's comment size limit", () => {
      const huge: StackDiff = {
        ...summarizeDiff("platform", "Error: x", 1),
        error: "x".repeat(70_000),
      };
      const text = renderComment([huge], { environment: "dev" });
      expect(text.length).toBeLessThan(65_536);
      expect(text).toMatch(/… truncated \(see the workflow log\)$/);
    });

    test("says so when no stack was diffed", () => {
      expect(renderComment([], { environment: "dev" })).toContain("No stack was diffed");
    });
  });

  test("reads the logs and exit codes of a diff directory, in deploy order", () => {
    const dir = mkdtempSync(join(tmpdir(), "diff-"));
    writeFileSync(join(dir, "platform.log"), "Plan: 2 to add, 0 to change, 0 to destroy.");
    writeFileSync(join(dir, "platform.exitcode"), "0\n");
    writeFileSync(join(dir, "network.log"), "No changes.");
    writeFileSync(join(dir, "network.exitcode"), "0");
    writeFileSync(join(dir, "observability.log"), "partial");
    expect(readDiffs(dir).map((d) => [d.stack, d.status])).toEqual([
      ["network", "no-changes"],
      ["platform", "changes"],
      ["observability", "failed"],
    ]);
    expect(renderFromArgs(["--dir", dir, "--environment", "dev"])).toContain(
      "| platform | 2 | 0 | 0 | changes |",
    );
  });

  test("fails without --dir and --environment", () => {
    expect(() => renderFromArgs(["--dir", "x"])).toThrow(/usage: pr-diff-comment --dir <logs> --environment/);
  });
});
