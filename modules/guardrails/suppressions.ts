/**
 * Construct-level suppressions: `suppressRule(construct, "ELB3", "why")` records, in the
 * construct's metadata, that a rule does not apply to the resources at or below it. A reason is
 * mandatory and the report lists every suppression that silenced a finding.
 */
import { TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";
import { reasonProblem } from "./reason";
import { RULE_IDS } from "./rules";
import { ValidationError } from "../errors";

/** Metadata type under which suppressions are stored on a construct. */
export const SUPPRESSION_METADATA = "guardrails:suppression";

/** A suppression of one rule. */
export interface Suppression {
  readonly rule: string;
  /** Why the rule does not apply here (printed in every report). */
  readonly reason: string;
  /** Limits it to one stack id. @default every stack */
  readonly stack?: string;
  /** Limits it to resources whose construct path starts with this (e.g. `platform/alb`). @default every resource */
  readonly scope?: string;
  /** Where it was declared (shown in the report), e.g. `blueprint trading`. */
  readonly origin: string;
}

/** Throws unless `rule` is a known rule id and `reason` explains something. */
export function checkSuppression(rule: string, reason: string, where: string): void {
  if (!RULE_IDS.includes(rule))
    throw new ValidationError(`${where}: "${rule}" is not a guardrail rule (${RULE_IDS.join(", ")})`);
  const problem = reasonProblem(reason);
  if (problem)
    throw new ValidationError(`${where}: suppressing ${rule} ${problem} (got ${JSON.stringify(reason)})`);
}

/**
 * Suppresses `rule` for the resources of `construct` and its children, with a written reason.
 * Only resources and module constructs can carry one: a whole stack is suppressed from the
 * blueprint (`guardrails.suppressions`), where it is visible in review.
 */
export function suppressRule(construct: IConstruct, rule: string, reason: string): void {
  checkSuppression(rule, reason, `suppressRule(${construct.node.path})`);
  if (TerraformStack.isStack(construct) || construct.node.scope === undefined)
    throw new ValidationError(
      `suppressRule(${construct.node.path}): suppress on a resource or module, not a whole stack or app (use the blueprint's guardrails.suppressions)`,
    );
  construct.node.addMetadata(SUPPRESSION_METADATA, { rule, reason: reason.trim() });
  const stack = TerraformStack.of(construct);
  const known = suppressedByStack.get(stack) ?? new Set<IConstruct>();
  known.add(construct);
  suppressedByStack.set(stack, known);
}

/** The constructs of each stack that `suppressRule` marked, so a report need not scan them all. */
const suppressedByStack = new WeakMap<TerraformStack, Set<IConstruct>>();

/** Every suppression declared with `suppressRule` in `stack`. */
export function stackSuppressions(stack: TerraformStack): Suppression[] {
  return [...(suppressedByStack.get(stack) ?? [])].flatMap(declaredSuppressions);
}

/** Suppressions declared on the construct itself. */
export function declaredSuppressions(construct: IConstruct): Suppression[] {
  return construct.node.metadata
    .filter((m) => m.type === SUPPRESSION_METADATA)
    .map((m) => ({
      ...(m.data as { rule: string; reason: string }),
      origin: `suppressRule(${construct.node.path})`,
    }));
}

/** Suppressions declared on a construct and its ancestors, nearest first. */
export function constructSuppressions(construct: IConstruct): Suppression[] {
  return construct.node.scopes.slice().reverse().flatMap(declaredSuppressions);
}
