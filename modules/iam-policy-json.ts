/**
 * An identity policy as the JSON IAM reads, from statements in the shape of the provider's
 * `aws_iam_policy_document` (sid, effect, actions, resources, condition). A role policy that
 * only its own role uses needs no data source: the JSON goes straight into `policy`, one
 * fewer data source per policy in every plan (and per service in every synth).
 */
import type { DataAwsIamPolicyDocumentStatement } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";

/** IAM's policy language version: the only one that supports policy variables. */
export const POLICY_VERSION = "2012-10-17";

interface JsonStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string[];
  NotAction?: string[];
  Resource?: string[];
  NotResource?: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

function fail(statement: DataAwsIamPolicyDocumentStatement, detail: string): never {
  throw new Error(`IAM statement ${statement.sid ?? "(no sid)"}: ${detail}`);
}

function toJson(s: DataAwsIamPolicyDocumentStatement): JsonStatement {
  if (s.principals !== undefined || s.notPrincipals !== undefined) {
    fail(s, "an identity policy names no principal; use a policy document for trust and resource policies");
  }
  if (s.effect !== undefined && s.effect !== "Allow" && s.effect !== "Deny") {
    fail(s, `effect "${s.effect}" is not allowed: use Allow or Deny`);
  }
  const conditions = (s.condition ?? []) as { test: string; variable: string; values: string[] }[];
  const condition: Record<string, Record<string, string[]>> = {};
  for (const c of conditions) {
    const byVariable = (condition[c.test] ??= {});
    if (byVariable[c.variable] !== undefined) fail(s, `condition ${c.test} on ${c.variable} is given twice`);
    byVariable[c.variable] = [...c.values];
  }
  const statement: JsonStatement = {
    ...(s.sid !== undefined ? { Sid: s.sid } : {}),
    Effect: (s.effect ?? "Allow") as "Allow" | "Deny",
  };
  if (s.actions !== undefined) statement.Action = [...s.actions];
  if (s.notActions !== undefined) statement.NotAction = [...s.notActions];
  if (s.resources !== undefined) statement.Resource = [...s.resources];
  if (s.notResources !== undefined) statement.NotResource = [...s.notResources];
  if (conditions.length > 0) statement.Condition = condition;
  if (statement.Action === undefined && statement.NotAction === undefined) fail(s, "it names no action");
  if (statement.Resource === undefined && statement.NotResource === undefined)
    fail(s, "it names no resource");
  return statement;
}

/** The policy JSON of `statements` (at least one). */
export function identityPolicyJson(statements: readonly DataAwsIamPolicyDocumentStatement[]): string {
  if (statements.length === 0) throw new Error("an IAM policy needs at least one statement");
  return JSON.stringify({ Version: POLICY_VERSION, Statement: statements.map(toJson) });
}
