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
import { evaluateStack, formatReport, formatSummary, GuardrailOptions } from "./engine";
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

/**
 * Adds the guardrail validation to `scope` (a stack) or to every stack under it (an app).
 * Call it after all stacks are built; calling it twice on a stack has no further effect.
 */
export function applyGuardrails(scope: IConstruct, options: GuardrailOptions): void {
  for (const [i, s] of (options.suppressions ?? []).entries())
    checkSuppression(s.rule, s.reason, `guardrail suppression ${i} (${s.origin})`);
  const log = options.log ?? stdout;
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
        if (report.errors.length > 0) return [formatReport(report)];
        const summary = formatSummary(report);
        if (summary !== undefined) log(summary);
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
    suppressions: [...fromBlueprint, ...flowLogs, ...shared],
    log: extras.log,
  };
}
