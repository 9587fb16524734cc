/**
 * Guardrails: policy checks that run on every synthesis of every stack and fail it with a
 * readable report when an error rule is broken (cdk-nag for CDKTF). Rules are data, one per
 * file under ./rules; suppressions are explicit, local and carry a reason.
 *
 * Mechanism: a validation on each stack (`node.addValidation`). cdktf runs stack validations
 * after aspects and before writing the stack, in `app.synth()`, `Testing.fullSynth(stack)` and
 * `Testing.synth(stack, true)`, and the validation reads `stack.toTerraform()` — the final
 * JSON with overrides and lifecycle — which an aspect visiting constructs would not see.
 * (An App created with `skipValidation: true` skips it; nothing in this project does.)
 */
import { TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import type { PlatformConfig } from "../../config";
import { evaluateStack, formatReport, GuardrailOptions, GuardrailReport, unusedSuppressions } from "./engine";
import { RULES } from "./rules";
import { checkSuppression, Suppression } from "./suppressions";

export * from "./types";
export * from "./engine";
export { RULES, RULE_IDS } from "./rules";
export { suppressRule, constructSuppressions, SUPPRESSION_METADATA } from "./suppressions";
export type { Suppression } from "./suppressions";
export { RESOURCELESS_ACTIONS } from "./rules/iam2-wildcard-resources";

const guarded = new WeakSet<TerraformStack>();

const stderr = (text: string) => {
  process.stderr.write(`${text}\n`);
};

/**
 * Adds the guardrail validation to `scope` (a stack) or to every stack under it (an app).
 * Call it after all stacks are built; calling it twice on a stack has no further effect.
 */
export function applyGuardrails(scope: IConstruct, options: GuardrailOptions): void {
  for (const [i, s] of (options.suppressions ?? []).entries())
    checkSuppression(s.rule, s.reason, `guardrail suppression ${i} (${s.origin})`);
  const log = options.log ?? stderr;
  const reports: GuardrailReport[] = [];
  const stacks = TerraformStack.isStack(scope)
    ? [scope]
    : scope.node.findAll().filter((c): c is TerraformStack => TerraformStack.isStack(c));
  for (const stack of stacks) {
    if (guarded.has(stack)) continue;
    guarded.add(stack);
    stack.node.addValidation({
      validate: () => {
        const json = stack.toTerraform();
        const report = evaluateStack(stack, options, json);
        reports.push(report);
        if (report.errors.length > 0) return [formatReport(report)];
        const notes = report.warnings.length + report.suppressed.length + report.unusedSuppressions.length;
        if (notes > 0) log(formatReport(report));
        return [];
      },
    });
  }
  // An app-level validation runs after every stack's: a blueprint suppression that silenced
  // nothing in any stack is stale (or misspelt in its scope) and would hide a future finding.
  if (!TerraformStack.isStack(scope) && stacks.length > 0) {
    scope.node.addValidation({
      validate: () => {
        const unused = unusedSuppressions(options.suppressions ?? [], reports);
        if (unused.length > 0)
          log(
            [
              "guardrails: suppressions that matched nothing in any stack (remove them, or fix their rule or scope):",
              ...unused.map(
                (s) => `  ${s.rule}${s.scope ? ` (scope ${s.scope})` : ""} by ${s.origin}: ${s.reason}`,
              ),
            ].join("\n"),
          );
        return [];
      },
    });
  }
}

export interface GuardrailOptionsExtras {
  /**
   * Stacks shared by every environment and destroyed only by hand (the state bucket): the
   * destroyability rules and the suffix rule do not apply to them. @default none
   */
  readonly sharedStacks?: readonly TerraformStack[];
  /** @default writes to stderr */
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
    suppressions: [...fromBlueprint, ...flowLogs, ...shared],
    log: extras.log,
  };
}
