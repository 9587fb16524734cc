/**
 * The data model of the guardrails: a rule is data (id, severity, the Security Hub control it
 * maps to, a one-line `info` and an `explanation` with the fix) plus a pure `check` over one
 * synthesized stack. Rules never see constructs, only the resolved Terraform JSON, so they
 * judge exactly what `terraform apply` would receive (overrides and lifecycle included).
 */

import type { LifecycleProfile } from "../lifecycle";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export type Severity = "error" | "warning";

/** `destroyability` rules are the ones a shared, hand-destroyed stack (state) is exempt from. */
export type RuleCategory = "security" | "operations" | "destroyability" | "naming";

/** One Terraform block of the synthesized stack (a resource or a data source). */
export interface TfBlock {
  /** Terraform type, e.g. `aws_lb`. */
  readonly type: string;
  /** Logical name (the construct's friendly unique id). */
  readonly name: string;
  /** Terraform address: `aws_lb.alb` or `data.aws_iam_policy_document.x`. */
  readonly address: string;
  /** Construct path (`platform/alb/lb`); where construct-level suppressions are looked up. */
  readonly path: string;
  /** Resolved attributes in Terraform's snake_case, `//` metadata removed. */
  readonly attrs: Json;
}

/** Values the rules need that are not in the stack JSON. */
export interface GuardrailSettings {
  /** Every resource name must contain it (as a whole hyphen/slash-separated part). */
  readonly environmentSuffix: string;
  /** Tags the provider's `default_tags` must set on every taggable resource. */
  readonly requiredTags: readonly string[];
}

/** A synthesized stack, as the rules see it. */
export interface StackView {
  /** Stack id (`network`, `platform`, ...). */
  readonly id: string;
  readonly resources: readonly TfBlock[];
  readonly dataSources: readonly TfBlock[];
  /** `provider.aws` blocks (a stack may have aliased providers). */
  readonly awsProviders: readonly Json[];
  readonly settings: GuardrailSettings;
  /** Resources of the given Terraform types, in synthesis order. */
  resourcesOf(...types: string[]): TfBlock[];
  /** Data sources of the given Terraform types. */
  dataOf(...types: string[]): TfBlock[];
}

/** Where and why a rule is broken. */
export interface Violation {
  /** Terraform address of the offending block (`provider.aws` for provider rules). */
  readonly address: string;
  /** Construct path of the offending block. */
  readonly path: string;
  /** What exactly is wrong with this block (the value found). */
  readonly detail: string;
}

export interface Rule {
  /** Stable id used in reports and suppressions, e.g. `ECS1`. */
  readonly id: string;
  readonly severity: Severity;
  /** AWS Security Hub (Foundational Security Best Practices) control id, where one maps. */
  readonly control?: string;
  readonly category: RuleCategory;
  /**
   * The lifecycle profile the rule belongs to: destroyability rules (DST1-DST8) check
   * `ephemeral` environments, their protective mirrors (PRS1-PRS8) `persistent` ones; a rule
   * without a profile checks every environment; `retiring` runs the rules that let the destroy
   * run (DST1, DST3-DST5) and those that keep the data (PRS2, PRS6-PRS8). @default every profile
   */
  readonly profile?: LifecycleProfile | readonly LifecycleProfile[];
  /** One line: what must hold. */
  readonly info: string;
  /** Why it matters and how to fix it. */
  readonly explanation: string;
  /** Pure function over one synthesized stack. */
  readonly check: (stack: StackView) => Violation[];
}
