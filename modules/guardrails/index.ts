/**
 * Guardrails: policy checks that run on every synthesis of every stack and fail it with a
 * readable report when an error rule is broken (cdk-nag for CDKTF). Rules are data, one per
 * file under ./rules; suppressions are explicit, local and carry a reason.
 *
 * Two mechanisms, one engine:
 * - `applyGuardrails`: a validation on each stack (`node.addValidation`). cdktf runs stack
 *   validations after aspects and before writing the stack, in `app.synth()`,
 *   `Testing.fullSynth(stack)` and `Testing.synth(stack, true)`, and the validation reads
 *   `stack.toTerraform()` — the final JSON with overrides and lifecycle — which an aspect
 *   visiting constructs would not see. (An App created with `skipValidation: true` skips it;
 *   nothing in this project does.)
 * - `checkSynthesizedApp`: the same checks over the JSON files a synth wrote, before they are
 *   published (main.ts): one resolution of every stack fewer.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { guardrailFailure, UserError } from "../errors";
import type { PlatformConfig } from "../../config";
import {
  evaluateStack,
  formatReport,
  formatSummary,
  GuardrailOptions,
  GuardrailReport,
  unusedSuppressions,
} from "./engine";
import { RULES } from "./rules";
import { checkSuppression, Suppression } from "./suppressions";

export * from "./types";
export * from "./engine";
export { RULES, RULE_IDS } from "./rules";
export { suppressRule, constructSuppressions, SUPPRESSION_METADATA } from "./suppressions";
export type { Suppression } from "./suppressions";
export { RESOURCELESS_ACTIONS } from "./rules/iam2-wildcard-resources";

const guarded = new WeakSet<TerraformStack>();

/**
 * A passing stack's summary goes to stdout: the cdktf CLI prints every stderr line of the app
 * as `[ERROR]`, which a successful synth must not show. Errors travel in the validation result.
 */
const stdout = (text: string) => {
  process.stdout.write(`${text}\n`);
};

/** `scope` itself when it is a stack, else every stack under it. */
function stacksIn(scope: IConstruct): TerraformStack[] {
  return TerraformStack.isStack(scope)
    ? [scope]
    : scope.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
}

/** Judges one stack's JSON: the report's text when it fails, else logs its summary. */
function judge(
  stack: TerraformStack,
  json: Record<string, unknown>,
  options: GuardrailOptions,
  reports: GuardrailReport[],
): string | undefined {
  const report = evaluateStack(stack, options, json);
  reports.push(report);
  if (report.errors.length > 0) return formatReport(report);
  const summary = formatSummary(report);
  if (summary !== undefined) (options.log ?? stdout)(summary);
  return undefined;
}

/**
 * A blueprint suppression that silenced nothing in any stack is stale (or misspelt in its
 * scope) and would hide a future finding: reported after the last stack.
 */
function reportUnused(options: GuardrailOptions, reports: readonly GuardrailReport[]): void {
  const unused = unusedSuppressions(options.suppressions ?? [], reports);
  if (unused.length > 0)
    (options.log ?? stdout)(
      [
        "guardrails: suppressions that matched nothing in any stack (remove them, or fix their rule or scope):",
        ...unused.map(
          (s) => `  ${s.rule}${s.scope ? ` (scope ${s.scope})` : ""} by ${s.origin}: ${s.reason}`,
        ),
      ].join("\n"),
    );
}

function checkSuppressions(options: GuardrailOptions): void {
  for (const [i, s] of (options.suppressions ?? []).entries())
    checkSuppression(s.rule, s.reason, `guardrail suppression ${i} (${s.origin})`);
}

/**
 * Adds the guardrail validation to `scope` (a stack) or to every stack under it (an app).
 * Call it after all stacks are built; calling it twice on a stack has no further effect.
 */
export function applyGuardrails(scope: IConstruct, options: GuardrailOptions): void {
  checkSuppressions(options);
  const reports: GuardrailReport[] = [];
  const stacks = stacksIn(scope);
  for (const stack of stacks) {
    if (guarded.has(stack)) continue;
    guarded.add(stack);
    stack.node.addValidation({
      validate: () => {
        const failure = judge(stack, stack.toTerraform(), options, reports);
        return failure === undefined ? [] : [failure];
      },
    });
  }
  // An app-level validation runs after every stack's.
  if (!TerraformStack.isStack(scope) && stacks.length > 0) {
    scope.node.addValidation({
      validate: () => {
        reportUnused(options, reports);
        return [];
      },
    });
  }
}

/** Guardrail findings of a synthesized app (one or more stacks failed an error rule). */
export class GuardrailError extends UserError {}

/**
 * The guardrails over the JSON that `app.synth()` wrote to `outdir`, for a caller that publishes
 * the output only after this passes (main.ts through stacks/synth-output.ts). Same rules,
 * suppressions, summaries and report of unused suppressions as `applyGuardrails`, without the
 * second resolution: a stack validation has to call `toTerraform()` itself, which resolves every
 * token of the stack once more before cdktf resolves it again to write it (a fifth of a large
 * synth; docs/benchmark.md). The file is exactly what Terraform will read. A stack written as
 * HCL (`cdktf synth --hcl`) is judged from `toTerraform()`. Throws a GuardrailError naming every
 * failing stack: for one, the text a failed validation gives; a validation stops at the first.
 */
export function checkSynthesizedApp(app: IConstruct, outdir: string, options: GuardrailOptions): void {
  checkSuppressions(options);
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const reports: GuardrailReport[] = [];
  const failures: string[] = [];
  for (const stack of stacksIn(app)) {
    const path = manifest.stacks[stack.node.id]?.synthesizedStackPath;
    const json: Record<string, unknown> =
      path?.endsWith(".json") === true
        ? JSON.parse(readFileSync(join(outdir, path), "utf8"))
        : stack.toTerraform();
    const failure = judge(stack, json, options, reports);
    if (failure !== undefined) failures.push(`[${stack.node.path}] ${failure}`);
  }
  if (failures.length > 0) throw new GuardrailError(guardrailFailure(failures.join("\n  ")));
  reportUnused(options, reports);
}

export interface GuardrailOptionsExtras {
  /**
   * Stacks shared by every environment and destroyed only by hand (the state bucket): the
   * destroyability rules and the suffix rule do not apply to them. @default none
   */
  readonly sharedStacks?: readonly TerraformStack[];
  /** @default writes to stdout */
  readonly log?: (text: string) => void;
}

/**
 * Guardrail options for a platform config: its suffix, its blueprint's suppressions, the
 * flow-log rule suppressed with `network.flowLogs.disabledReason` when flow logs are off, and
 * the exemptions of shared stacks.
 */
export function guardrailOptionsFor(
  config: PlatformConfig,
  extras: GuardrailOptionsExtras = {},
): GuardrailOptions {
  const fromBlueprint: Suppression[] = config.guardrails.suppressions.map((s) => ({
    ...s,
    origin: `blueprint ${config.name} (guardrails.suppressions)`,
  }));
  const flowLogs: Suppression[] =
    !config.network.flowLogs.enabled && config.network.flowLogs.disabledReason
      ? [
          {
            rule: "VPC2",
            reason: config.network.flowLogs.disabledReason,
            origin: `blueprint ${config.name} (network.flowLogs.disabledReason)`,
          },
        ]
      : [];
  const shared: Suppression[] = (extras.sharedStacks ?? []).flatMap((stack) =>
    RULES.filter((r) => r.category === "destroyability" || r.id === "NAME1").map((r) => ({
      rule: r.id,
      stack: stack.node.id,
      reason: `stack ${stack.node.id} is shared by every environment of the blueprint and destroyed only by hand`,
      origin: "shared stack",
    })),
  );
  return {
    environmentSuffix: config.environmentSuffix,
    lifecycle: config.lifecycle,
    suppressions: [...fromBlueprint, ...flowLogs, ...shared],
    log: extras.log,
  };
}
