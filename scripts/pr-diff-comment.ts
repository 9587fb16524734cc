/**
 * Turns the `cdktf diff` logs of a pull request's stacks into the markdown of one PR comment:
 * per stack the add/change/destroy counts, the resources that would change, and a warning for
 * anything destroyed or replaced. The comment starts with a hidden marker so the workflow
 * updates its previous comment instead of adding one per push.
 *
 *   tsx scripts/pr-diff-comment.ts --dir <logs> --environment <suffix> [--sha <sha>] [--run-url <url>]
 *
 * `<logs>/<stack>.log` holds the diff output and `<logs>/<stack>.exitcode` its exit code.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

/** Deploy order; kept equal to STACK_IDS in stacks/base.ts by __tests__/workflows.test.ts. */
export const DIFF_STACKS = ["network", "registry", "platform", "observability"] as const;

/** GitHub rejects comments over 65,536 characters; leave room for the header and footer. */
const MAX_COMMENT_CHARS = 60_000;
const MAX_RESOURCES_PER_STACK = 60;

export type DiffStatus = "changes" | "no-changes" | "outputs-only" | "failed";

export interface StackDiff {
  readonly stack: string;
  readonly status: DiffStatus;
  readonly add: number;
  readonly change: number;
  readonly destroy: number;
  readonly import: number;
  /** `aws_ecs_service.x will be updated in-place`, in plan order. */
  readonly resources: string[];
  /** First error line, when the diff failed. */
  readonly error?: string;
}

export function marker(environment: string): string {
  return `<!-- cdktf-diff-summary:${environment} -->`;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const PLAN = /Plan: (?:(\d+) to import, )?(\d+) to add, (\d+) to change, (\d+) to destroy/;
const RESOURCE =
  /# (\S+) (will be created|will be destroyed|will be updated in-place|must be replaced|will be replaced, as requested|has moved to \S+)/;

/** Reads one stack's diff output (cdktf prefixes every line with the stack name). */
export function summarizeDiff(stack: string, log: string, exitCode: number): StackDiff {
  const text = log.replace(ANSI, "");
  const resources = [
    ...new Set(
      text.split("\n").flatMap((line) => {
        const m = RESOURCE.exec(line);
        return m ? [`${m[1]} ${m[2]}`] : [];
      }),
    ),
  ];
  const plan = PLAN.exec(text);
  const errorLine = text
    .split("\n")
    .map((l) => l.replace(/^[^│]*│\s*/, "").trim())
    .find((l) => /^Error:/.test(l));
  const base = { stack, resources, add: 0, change: 0, destroy: 0, import: 0 };
  if (exitCode !== 0 || errorLine) {
    return { ...base, status: "failed", error: errorLine ?? `cdktf diff exited with code ${exitCode}` };
  }
  if (plan) {
    return {
      ...base,
      status: "changes",
      import: Number(plan[1] ?? 0),
      add: Number(plan[2]),
      change: Number(plan[3]),
      destroy: Number(plan[4]),
    };
  }
  if (/Changes to Outputs:/.test(text)) return { ...base, status: "outputs-only" };
  return { ...base, status: "no-changes" };
}

const STATUS_TEXT: Record<DiffStatus, string> = {
  changes: "changes",
  "no-changes": "no changes",
  "outputs-only": "outputs only",
  failed: "**diff failed**",
};

export interface CommentContext {
  readonly environment: string;
  readonly sha?: string;
  readonly runUrl?: string;
}

export function renderComment(diffs: readonly StackDiff[], ctx: CommentContext): string {
  const lines = [
    marker(ctx.environment),
    `### cdktf diff: environment \`${ctx.environment}\``,
    "",
    "| Stack | Add | Change | Destroy | Status |",
    "| --- | ---: | ---: | ---: | --- |",
    ...diffs.map((d) => {
      const warn = d.destroy > 0 ? " ⚠️" : "";
      return `| ${d.stack} | ${d.add} | ${d.change} | ${d.destroy}${warn} | ${STATUS_TEXT[d.status]} |`;
    }),
    "",
  ];
  if (diffs.length === 0)
    lines.push("No stack was diffed: synthesis or setup failed, see the workflow run.", "");
  // A task definition replaced after a release only catches up with the release record (its
  // image): services keep the revision the release deployed, so nothing running changes.
  const reRegistered = (r: string) => /^aws_ecs_task_definition\.\S+ must be replaced$/.test(r);
  const destructive = diffs.flatMap((d) =>
    d.resources
      .filter((r) => /destroyed|replaced/.test(r) && !reRegistered(r))
      .map((r) => `\`${d.stack}\`: ${r}`),
  );
  if (destructive.length > 0) {
    lines.push(`> [!WARNING]`, `> ${destructive.length} resource(s) destroyed or replaced:`);
    lines.push(...destructive.slice(0, 20).map((r) => `> - ${r}`), "");
  }
  const revisions = diffs.flatMap((d) => d.resources.filter(reRegistered));
  if (revisions.length > 0) {
    lines.push(
      `> [!NOTE]`,
      `> ${revisions.length} task definition revision(s) re-registered: a release or a task change since the last deploy; running tasks keep the revision their last release deployed.`,
      "",
    );
  }
  for (const d of diffs) {
    if (d.status === "failed") lines.push(`**${d.stack}**: \`${d.error}\``, "");
    if (d.resources.length === 0) continue;
    const shown = d.resources.slice(0, MAX_RESOURCES_PER_STACK);
    const more = d.resources.length - shown.length;
    lines.push(
      `<details><summary>${d.stack}: ${d.resources.length} resource change(s)</summary>`,
      "",
      ...shown.map((r) => `- \`${r}\``),
      ...(more > 0 ? [`- … and ${more} more (see the workflow log)`] : []),
      "",
      "</details>",
      "",
    );
  }
  const footer = [
    ctx.sha ? `commit ${ctx.sha.slice(0, 7)}` : "",
    ctx.runUrl ? `[workflow run](${ctx.runUrl})` : "",
  ]
    .filter(Boolean)
    .join(" · ");
  if (footer) lines.push(`<sub>${footer}</sub>`);
  const body = lines.join("\n");
  return body.length <= MAX_COMMENT_CHARS
    ? body
    : `${body.slice(0, MAX_COMMENT_CHARS)}\n\n… truncated (see the workflow log)`;
}

/** Reads `<dir>/<stack>.log` and `.exitcode` for every stack that was diffed. */
export function readDiffs(dir: string): StackDiff[] {
  return DIFF_STACKS.filter((stack) => existsSync(join(dir, `${stack}.log`))).map((stack) => {
    const codeFile = join(dir, `${stack}.exitcode`);
    const exitCode = existsSync(codeFile) ? Number(readFileSync(codeFile, "utf8").trim() || "1") : 1;
    return summarizeDiff(stack, readFileSync(join(dir, `${stack}.log`), "utf8"), exitCode);
  });
}

export function run(argv: string[]): string {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      dir: { type: "string" },
      environment: { type: "string" },
      sha: { type: "string" },
      "run-url": { type: "string" },
    },
  });
  if (!values.dir || !values.environment) {
    throw new Error(
      "usage: pr-diff-comment --dir <logs> --environment <suffix> [--sha <sha>] [--run-url <url>]",
    );
  }
  return renderComment(readDiffs(values.dir), {
    environment: values.environment,
    sha: values.sha,
    runUrl: values["run-url"],
  });
}

/* istanbul ignore next -- entry point */
if (require.main === module) {
  process.stdout.write(`${run(process.argv.slice(2))}\n`);
}
