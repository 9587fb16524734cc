/**
 * Runs the rules over one stack's resolved Terraform JSON, applies suppressions and formats
 * the report. `TerraformStack.toTerraform()` returns the JSON exactly as written to
 * cdk.tf.json (tokens resolved to `${...}` references, `addOverride` and `lifecycle`
 * applied), so the rules judge what Terraform will receive, not what the constructs intended.
 */
import type { IConstruct } from "constructs";
import type { TerraformStack } from "cdktf";
import { RULES } from "./rules";
import { stackView } from "./stack-view";
import { constructSuppressions, stackSuppressions, Suppression } from "./suppressions";
import type { Rule, Violation } from "./types";
import type { LifecycleProfile } from "../lifecycle";

/** Tags every taggable resource must carry (rule TAG1). */
export const REQUIRED_TAGS: readonly string[] = ["Environment", "Team", "CostCenter", "Project"];

export interface GuardrailOptions {
  /** Environment suffix every resource name must contain (rule NAME1). */
  readonly environmentSuffix: string;
  /** Tags the provider's default_tags must set (rule TAG1). @default REQUIRED_TAGS */
  readonly requiredTags?: readonly string[];
  /** Blueprint-level and stack-level suppressions. @default [] */
  readonly suppressions?: readonly Suppression[];
  /** Lifecycle profile of the environment: rules of the other profile do not run. @default "ephemeral" */
  readonly lifecycle?: LifecycleProfile;
  /** Rules to run. @default RULES (all) */
  readonly rules?: readonly Rule[];
  /**
   * Receives the summary of a stack that passed with warnings or suppressions.
   * @default writes to stdout (the cdktf CLI labels every stderr line of the app `[ERROR]`)
   */
  readonly log?: (text: string) => void;
}

export interface Finding extends Violation {
  readonly rule: Rule;
  readonly stack: string;
  /** The suppression that silenced it, if any. */
  readonly suppression?: Suppression;
}

export interface GuardrailReport {
  readonly stack: string;
  /** Unsuppressed findings of error rules: synthesis fails. */
  readonly errors: readonly Finding[];
  /** Unsuppressed findings of warning rules: printed, not fatal. */
  readonly warnings: readonly Finding[];
  /** Findings silenced by a suppression (listed with its reason). */
  readonly suppressed: readonly Finding[];
  /** Construct suppressions in this stack that silenced nothing (stale: remove them). */
  readonly unusedSuppressions: readonly Suppression[];
}

/** Evaluates every rule over one stack. */
export function evaluateStack(
  stack: TerraformStack,
  options: GuardrailOptions,
  json: Record<string, unknown> = stack.toTerraform(),
): GuardrailReport {
  const id = stack.node.id;
  const view = stackView(json, id, {
    environmentSuffix: options.environmentSuffix,
    requiredTags: options.requiredTags ?? REQUIRED_TAGS,
  });
  // Constructs by path, for their suppressions: built only when a rule reports something.
  let constructs: Map<string, IConstruct> | undefined;
  const constructAt = (path: string) =>
    (constructs ??= new Map(stack.node.findAll().map((c) => [c.node.path, c]))).get(path);
  const global = (options.suppressions ?? []).filter((s) => s.stack === undefined || s.stack === id);

  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const suppressed: Finding[] = [];
  const profile = options.lifecycle ?? "ephemeral";
  for (const rule of options.rules ?? RULES) {
    if (rule.profile !== undefined && ![rule.profile].flat().includes(profile)) continue;
    for (const v of rule.check(view)) {
      const construct = constructAt(v.path);
      const candidates = [
        ...(construct ? constructSuppressions(construct) : []),
        ...global.filter(
          (s) => s.scope === undefined || v.path === s.scope || v.path.startsWith(`${s.scope}/`),
        ),
      ];
      const suppression = candidates.find((s) => s.rule === rule.id);
      const finding: Finding = { ...v, rule, stack: id, suppression };
      if (suppression) suppressed.push(finding);
      else (rule.severity === "error" ? errors : warnings).push(finding);
    }
  }
  const used = (s: Suppression) =>
    suppressed.some((f) => f.suppression?.origin === s.origin && f.suppression.rule === s.rule);
  const unusedSuppressions = stackSuppressions(stack).filter((s) => !used(s));
  return { stack: id, errors, warnings, suppressed, unusedSuppressions };
}

const control = (rule: Rule) =>
  (rule.control ? `, Security Hub ${rule.control}` : "") +
  (rule.profile ? `, ${[rule.profile].flat().join("/")} profile` : "");

function section(title: string, findings: readonly Finding[], withFix: boolean): string[] {
  if (findings.length === 0) return [];
  const lines = [title];
  const byRule = new Map<Rule, Finding[]>();
  for (const f of findings) byRule.set(f.rule, [...(byRule.get(f.rule) ?? []), f]);
  for (const [rule, list] of byRule) {
    lines.push(`  ${rule.id} (${rule.severity}${control(rule)}): ${rule.info}`);
    for (const f of list) {
      lines.push(`    - ${f.address} [${f.path}]: ${f.detail}`);
      if (f.suppression) lines.push(`      suppressed by ${f.suppression.origin}: ${f.suppression.reason}`);
    }
    if (withFix) lines.push(`    fix: ${rule.explanation}`);
  }
  return lines;
}

/**
 * The summary of a stack that passed (no errors), printed once per synth: one headline, each
 * warning with its fix, and active suppressions one line per rule and origin (the reason is
 * the same for every resource it silences). Nothing for a stack with nothing to say.
 */
export function formatSummary(report: GuardrailReport): string | undefined {
  const { warnings, suppressed, unusedSuppressions } = report;
  if (warnings.length + suppressed.length + unusedSuppressions.length === 0) return undefined;
  // One line per suppression origin and reason: `NAME1 x2, DST3 by <origin>: <reason>`.
  const byOrigin = new Map<string, Map<string, number>>();
  for (const f of suppressed) {
    const s = f.suppression as Suppression;
    const key = `${s.origin}: ${s.reason}`;
    const rules = byOrigin.get(key) ?? new Map<string, number>();
    rules.set(f.rule.id, (rules.get(f.rule.id) ?? 0) + 1);
    byOrigin.set(key, rules);
  }
  return [
    `guardrails: stack "${report.stack}": passed; ${warnings.length} warning(s), ${suppressed.length} suppressed`,
    ...section("warnings:", warnings, true),
    ...[...byOrigin].map(([origin, rules]) => {
      const list = [...rules].map(([rule, n]) => (n > 1 ? `${rule} x${n}` : rule)).join(", ");
      return `  suppressed ${list} by ${origin}`;
    }),
    ...(unusedSuppressions.length > 0 ? ["unused suppressions (nothing to suppress; remove them):"] : []),
    ...unusedSuppressions.map((s) => `  ${s.rule} by ${s.origin}: ${s.reason}`),
  ].join("\n");
}

/** The readable report of one stack: errors with their fix, warnings, active and unused suppressions. */
export function formatReport(report: GuardrailReport): string {
  const counts = `${report.errors.length} error(s), ${report.warnings.length} warning(s), ${report.suppressed.length} suppressed`;
  return [
    `guardrails: stack "${report.stack}": ${counts}`,
    ...section("errors:", report.errors, true),
    ...section("warnings:", report.warnings, true),
    ...section("active suppressions:", report.suppressed, false),
    ...(report.unusedSuppressions.length > 0
      ? ["unused suppressions (nothing to suppress; remove them):"]
      : []),
    ...report.unusedSuppressions.map((s) => `  ${s.rule} by ${s.origin}: ${s.reason}`),
  ].join("\n");
}

/**
 * Suppressions given in the options (the blueprint's, not a shared stack's exemptions) that
 * silenced no finding in any of `reports`.
 */
export function unusedSuppressions(
  suppressions: readonly Suppression[],
  reports: readonly GuardrailReport[],
): Suppression[] {
  const used = new Set(reports.flatMap((r) => r.suppressed.map((f) => f.suppression)));
  return suppressions.filter((s) => s.stack === undefined && !used.has(s));
}
