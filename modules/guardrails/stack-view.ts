/**
 * Builds the `StackView` the rules read from a stack's resolved Terraform JSON, and the small
 * helpers rules share (nested blocks, references, container definitions, policy statements).
 */
import type { GuardrailSettings, Json, StackView, TfBlock, Violation } from "./types";

const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The blocks of a section in the order cdk.tf.json lists them (types, then names, sorted), so a
 * finding that depends on order (NAME2 names the later of two equal names) reads the same from
 * `toTerraform()` (construction order) and from the written file (modules/guardrails/index.ts).
 */
function blocksOf(section: Json | undefined, prefix: string, stackPath: string): TfBlock[] {
  const out: TfBlock[] = [];
  for (const [type, byName] of Object.entries(section ?? {}).sort(byKey)) {
    for (const [name, raw] of Object.entries(byName as Json).sort(byKey)) {
      const { "//": meta, ...attrs } = raw as Json;
      out.push({
        type,
        name,
        address: `${prefix}${type}.${name}`,
        path: meta?.metadata?.path ?? `${stackPath}/${name}`,
        attrs,
      });
    }
  }
  return out;
}

/** A `StackView` over the resolved JSON of one stack (`TerraformStack.toTerraform()`). */
export function stackView(json: Json, id: string, settings: GuardrailSettings): StackView {
  const resources = blocksOf(json.resource, "", id);
  const dataSources = blocksOf(json.data, "data.", id);
  const providers = json.provider?.aws;
  return {
    id,
    resources,
    dataSources,
    awsProviders: Array.isArray(providers) ? providers : providers ? [providers] : [],
    settings,
    resourcesOf: (...types) => resources.filter((r) => types.includes(r.type)),
    dataOf: (...types) => dataSources.filter((d) => types.includes(d.type)),
  };
}

/** A violation of `block`. */
export function violation(block: TfBlock, detail: string): Violation {
  return { address: block.address, path: block.path, detail };
}

/**
 * A nested block as a list: cdktf renders single blocks as an object and repeated ones as an
 * array; absent blocks are `undefined`.
 */
export function nested(value: unknown): Json[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v) => v !== null && typeof v === "object");
}

/** Terraform booleans may arrive as `true` or `"true"` (overrides, tokens resolved to strings). */
export function isTrue(value: unknown): boolean {
  return value === true || value === "true";
}

/** A value that is a Terraform expression (`${...}`) rather than a literal. */
export function isExpression(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The pattern of a reference to an attribute of the block at `address`, compiled once. */
const referencePatterns = new Map<string, RegExp>();

/** Whether `value` (any JSON) contains a reference to an attribute of `target`. */
export function refersTo(value: unknown, target: TfBlock): boolean {
  if (value === undefined) return false;
  const text = typeof value === "string" ? value : JSON.stringify(value);
  let pattern = referencePatterns.get(target.address);
  if (pattern === undefined) {
    pattern = new RegExp(`(?<![\\w.-])${escape(target.address)}\\.`);
    referencePatterns.set(target.address, pattern);
  }
  return pattern.test(text);
}

/**
 * The addresses of `type` resources that `value` (any JSON) refers to an attribute of: the
 * candidates for `refersTo`, read from the value once instead of testing every block.
 */
export function referencedAddresses(value: unknown, type: string): string[] {
  if (value === undefined) return [];
  const text = typeof value === "string" ? value : JSON.stringify(value);
  const pattern = new RegExp(`(?<![\\w.-])(${escape(type)}\\.[A-Za-z0-9_-]+)\\.`, "g");
  return [...text.matchAll(pattern)].map((m) => m[1]);
}

/**
 * The container definitions of a task definition, or `undefined` when they are not literal
 * JSON (e.g. built with `Fn.jsonencode`), in which case rule ECS9 reports them.
 */
export function containerDefinitions(taskDefinition: TfBlock): Json[] | undefined {
  // Several rules read them: parse each task definition's JSON once.
  if (parsedDefinitions.has(taskDefinition)) return parsedDefinitions.get(taskDefinition);
  const parsed = parseDefinitions(taskDefinition);
  parsedDefinitions.set(taskDefinition, parsed);
  return parsed;
}

const parsedDefinitions = new WeakMap<TfBlock, Json[] | undefined>();

function parseDefinitions(taskDefinition: TfBlock): Json[] | undefined {
  const raw = taskDefinition.attrs.container_definitions;
  if (typeof raw !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? (parsed as Json[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Every container of every task definition in the stack whose definitions are readable. */
export function containers(stack: StackView): { taskDefinition: TfBlock; container: Json }[] {
  return stack
    .resourcesOf("aws_ecs_task_definition")
    .flatMap((td) =>
      (containerDefinitions(td) ?? []).map((container) => ({ taskDefinition: td, container })),
    );
}

/** One IAM policy statement, normalized from a policy document data source or literal JSON. */
export interface PolicyStatement {
  readonly source: TfBlock;
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
  readonly actions: string[];
  readonly notActions: string[];
  readonly resources: string[];
  /** Resource-based and trust policies name principals; identity policies never do. */
  readonly hasPrincipals: boolean;
}

const list = (v: unknown): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];

/** Attributes that hold an identity policy as a JSON string. */
const IDENTITY_POLICY_ATTRS: Record<string, string> = {
  aws_iam_policy: "policy",
  aws_iam_role_policy: "policy",
  aws_iam_user_policy: "policy",
  aws_iam_group_policy: "policy",
};

/**
 * Identity-policy statements of the stack: statements of `aws_iam_policy_document` data
 * sources without principals, and literal JSON policies on IAM policy resources (a policy
 * that is a reference to a document is read through the document instead).
 */
export function identityStatements(stack: StackView): PolicyStatement[] {
  // Several rules read them: collect (and parse the literal JSON) once per stack view.
  let statements = statementsByView.get(stack);
  if (statements === undefined) {
    statements = collectIdentityStatements(stack);
    statementsByView.set(stack, statements);
  }
  return statements;
}

const statementsByView = new WeakMap<StackView, PolicyStatement[]>();

function collectIdentityStatements(stack: StackView): PolicyStatement[] {
  const out: PolicyStatement[] = [];
  for (const doc of stack.dataOf("aws_iam_policy_document")) {
    for (const s of nested(doc.attrs.statement)) {
      out.push({
        source: doc,
        sid: s.sid,
        effect: s.effect === "Deny" ? "Deny" : "Allow",
        actions: list(s.actions),
        notActions: list(s.not_actions),
        resources: list(s.resources),
        hasPrincipals: nested(s.principals).length > 0 || nested(s.not_principals).length > 0,
      });
    }
  }
  const literal: { block: TfBlock; text: unknown }[] = [];
  for (const [type, attr] of Object.entries(IDENTITY_POLICY_ATTRS)) {
    for (const r of stack.resourcesOf(type)) literal.push({ block: r, text: r.attrs[attr] });
  }
  for (const r of stack.resourcesOf("aws_iam_role")) {
    for (const p of nested(r.attrs.inline_policy)) literal.push({ block: r, text: p.policy });
  }
  for (const { block, text } of literal) {
    // Literal JSON may hold interpolations in its strings (ARNs); a whole-string expression
    // such as `${data.aws_iam_policy_document.x.json}` is not JSON and its document is read above.
    if (typeof text !== "string") continue;
    let doc: Json;
    try {
      doc = JSON.parse(text) as Json;
    } catch {
      continue;
    }
    for (const s of nested(doc.Statement)) {
      out.push({
        source: block,
        sid: s.Sid,
        effect: s.Effect === "Deny" ? "Deny" : "Allow",
        actions: list(s.Action),
        notActions: list(s.NotAction),
        resources: list(s.Resource),
        hasPrincipals: s.Principal !== undefined || s.NotPrincipal !== undefined,
      });
    }
  }
  return out.filter((s) => !s.hasPrincipals);
}

/** Violations for every resource of `types` whose attributes fail `ok`. */
export function failing(
  stack: StackView,
  types: readonly string[],
  ok: (attrs: Json, block: TfBlock) => boolean,
  detail: (block: TfBlock) => string,
): Violation[] {
  return stack
    .resourcesOf(...types)
    .filter((r) => !ok(r.attrs, r))
    .map((r) => violation(r, detail(r)));
}
