/**
 * The errors a user's input can cause. Everything the user can fix (a blueprint field, an
 * environment variable, a value a construct finds inconsistent while building a stack) is a
 * `UserError`: main.ts prints its message, never a stack trace, and exits non-zero. Any other
 * error is a defect of this code.
 */
import type { IConstruct } from "constructs";

/** Base of every error caused by the user's input: printed without a stack trace. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A check made while building a stack failed: the input is inconsistent in a way the schema
 * could not see. Carries the construct path where the check was made.
 */
export class ValidationError extends UserError {
  /** Construct path of the check (`platform/svc-api/traffic`), when a construct made it. */
  readonly constructPath?: string;

  constructor(message: string, scope?: IConstruct | string) {
    const path = typeof scope === "string" ? scope : scope?.node.path;
    super(path ? `${message} [at ${path}]` : message);
    this.constructPath = path;
  }
}

/** cdktf's message for failed stack validations (the guardrails) starts with this. */
const STACK_VALIDATION = /^(App-level )?[Vv]alidation failed with the following errors:\n\s*/;
/** cdktf appends how to skip validation; bypassing the guardrails is not something we offer. */
const SKIP_HINT =
  /\n*\s*(If you wish to ignore these validations, pass|Validations allow for dynamic|To skip validations, add)[\s\S]*$/;

/**
 * The message to print for a failure the user can act on, or undefined for a defect. Guardrail
 * failures arrive as cdktf's validation error; their hint to pass `skipValidation` is removed.
 */
export function userFacingMessage(error: unknown): string | undefined {
  if (error instanceof UserError) return error.message;
  if (error instanceof Error && STACK_VALIDATION.test(error.message)) {
    return guardrailFailure(error.message.replace(STACK_VALIDATION, "").replace(SKIP_HINT, "").trimEnd());
  }
  return undefined;
}

/** What a user reads when the guardrails fail: the findings, and how to fix or suppress them. */
export function guardrailFailure(findings: string): string {
  return `guardrails failed; fix the findings below (or suppress a rule in the blueprint's guardrails.suppressions with its reason):\n  ${findings}`;
}
