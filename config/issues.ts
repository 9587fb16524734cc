/**
 * Turns schema issues into messages a person can act on: the file and the line (when the
 * blueprint came from a YAML/JSON file), the field path inside the blueprint, the value
 * received, what is allowed and, for a misspelt key or enum value, the nearest known one.
 */
import { Document, isMap, isNode, isPair, isScalar, LineCounter } from "yaml";
import type { z } from "zod";

/** Where a blueprint came from, for error messages. */
export interface IssueSource {
  /** `blueprints.<name>` for a built-in, the file path for a file. */
  readonly label: string;
  /** The parsed file, to find the line of a field. */
  readonly document?: Document;
  readonly lineCounter?: LineCounter;
  /**
   * The declared environment whose overrides were merged into the blueprint: a field it
   * overrides is reported at `environments.<name>.<field>` (and its line), others at the base.
   */
  readonly environment?: string;
  /** Fields set from environment variables (`loadBalancer.certificateArn` → ALB_CERTIFICATE_ARN). */
  readonly fromEnvironment?: Readonly<Record<string, string>>;
}

/** Edit distance (insertions, deletions, substitutions, adjacent swaps). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...Array<number>(b.length).fill(0),
  ]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The known word closest to `word`, if it is close enough to be a typo of it. */
export function nearest(word: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const distance = editDistance(word.toLowerCase(), k.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [k, distance];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

// zod 4 exposes a schema's definition as `_zod.def` (its documented API for tooling).
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  valueType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
}
const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** The object schemas a value at `path` of `schema`'s input may be validated by. */
function objectsAt(schema: z.ZodType, path: readonly PropertyKey[]): Def[] {
  const def = defOf(schema);
  switch (def.type) {
    case "optional":
    case "default":
    case "prefault":
    case "nullable":
    case "readonly":
    case "catch":
      return objectsAt(def.innerType!, path);
    case "pipe":
      return objectsAt(def.in!, path);
    case "union":
      return def.options!.flatMap((o) => objectsAt(o, path));
  }
  if (path.length === 0) return def.type === "object" ? [def] : [];
  const [head, ...rest] = path;
  if (def.type === "object") {
    const field = def.shape![String(head)];
    return field ? objectsAt(field, rest) : [];
  }
  if (def.type === "record") return objectsAt(def.valueType!, rest);
  if (def.type === "array") return objectsAt(def.element!, rest);
  return [];
}

/** The field names an object at `path` accepts (for "did you mean"). */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const removed = (field: z.ZodType): boolean => {
    const def = defOf(field);
    return def.type === "never" || (def.innerType !== undefined && removed(def.innerType));
  };
  return [
    ...new Set(
      objectsAt(schema, path).flatMap((d) =>
        Object.entries(d.shape ?? {})
          .filter(([, field]) => !removed(field))
          .map(([key]) => key),
      ),
    ),
  ];
}

/** The line of the field at `path` in the file (its key when `key` is given), or of its nearest parent. */
function lineOf(source: IssueSource, path: readonly PropertyKey[], key?: string): number | undefined {
  const { document, lineCounter } = source;
  if (!document || !lineCounter) return undefined;
  for (let n = path.length; n >= 0; n--) {
    const node = document.getIn(path.slice(0, n), true);
    if (!isNode(node)) continue;
    let offset = node.range?.[0];
    if (key !== undefined && n === path.length && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
      if (pair && isScalar(pair.key)) offset = pair.key.range?.[0] ?? offset;
    } else if (n > 0) {
      // Prefer the key's line: a nested map's range starts at its first entry.
      const parent = document.getIn(path.slice(0, n - 1), true);
      if (isMap(parent)) {
        const pair = parent.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(path[n - 1]),
        );
        if (pair && isScalar(pair.key)) offset = pair.key.range?.[0] ?? offset;
      }
    }
    if (offset !== undefined) return lineCounter.linePos(offset).line;
  }
  return undefined;
}

const shown = (value: unknown): string => {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** One line per issue: `<where>: <field path>: <value>: <message>`. */
export function formatIssue(issue: z.core.$ZodIssue, schema: z.ZodType, source: IssueSource): string[] {
  const field = issue.path.map(String).join(".");
  const envVar = source.fromEnvironment?.[field];
  const withValue =
    issue.code !== "custom" &&
    "input" in issue &&
    ["string", "number", "boolean"].includes(typeof issue.input);
  const value = withValue ? `${shown(issue.input)}: ` : "";
  const where = (key?: string, extra: PropertyKey[] = []): string => {
    if (envVar) return `${envVar} (sets ${source.label}: ${field})`;
    const overrides = source.environment ? ["environments", source.environment] : [];
    const full = [...issue.path, ...extra];
    const overridden =
      overrides.length > 0 && full.length > 0 && source.document?.hasIn([...overrides, full[0]]) === true;
    const path = [...(overridden ? overrides : []), ...full];
    const line = lineOf(source, path, key);
    const fieldPath = path.map(String).join(".");
    if (source.document) return `${source.label}${line ? `:${line}` : ""}: ${fieldPath || "(top level)"}`;
    return [source.label, fieldPath].filter(Boolean).join(".");
  };

  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(schema, issue.path);
    return issue.keys.map((key) => {
      const guess = nearest(key, known);
      const hint = guess ? `did you mean "${guess}"? ` : "";
      return `${where(key, [key])}: unknown field; ${hint}allowed here: ${known.join(", ")}`;
    });
  }
  let message = issue.message;
  if (issue.code === "invalid_value" && "values" in issue) {
    const allowed = issue.values.map((v) => JSON.stringify(v)).join(", ");
    const guess =
      typeof issue.input === "string" ? nearest(issue.input, issue.values.map(String)) : undefined;
    message = `must be one of ${allowed}${guess ? ` (did you mean "${guess}"?)` : ""}`;
  }
  if (issue.code === "invalid_union" && "note" in issue && issue.note === "No matching discriminator")
    message = 'source must be one of "create", "lookup"';
  if (issue.code === "invalid_key") {
    // A record key (service, secret or variable name) that breaks its rule: say which rule.
    const rules = issue.issues.map((i) => i.message).join("; ");
    return [`${where()}: ${shown(issue.input)}: is not an allowed name: ${rules}`];
  }
  if (issue.code === "invalid_type" && issue.input === undefined) message = `is required (${issue.expected})`;
  return [`${where()}: ${value}${message}`];
}

export function formatIssues(error: z.ZodError, schema: z.ZodType, source: IssueSource): string {
  const lines = error.issues.flatMap((i) => formatIssue(i, schema, source));
  return `invalid blueprint ${source.label}:\n  ${lines.join("\n  ")}`;
}
