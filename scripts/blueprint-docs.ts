/**
 * `npm run docs:blueprint` writes, from the blueprint schema (config/schema.ts, the one source of
 * truth), the two files a blueprint author reads or their editor uses:
 *
 * - blueprint.schema.json: the JSON Schema of a blueprint file (JSON Schema draft-07, which
 *   yaml-language-server supports; zod 4's `z.toJSONSchema`, input side, so fields with a
 *   default are optional). `npm run blueprint -- show` names it in its first line.
 * - docs/blueprint-reference.md: every field with its type, default, allowed values and
 *   description (a field's `.describe()`/`.meta({ description })` text where it has one).
 *
 * Cross-field rules (a refine: HTTPS needs a certificate, ...) are not expressible in JSON Schema;
 * the synth still checks them. `__tests__/scripts/blueprint-docs.cases.ts` fails when either file
 * is stale.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { BlueprintSchema } from "../config/schema";

export const SCHEMA_PATH = "blueprint.schema.json";
export const REFERENCE_PATH = "docs/blueprint-reference.md";

interface JsonSchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}

/** The blueprint file's JSON Schema. */
export function blueprintJsonSchema(): JsonSchema & Record<string, unknown> {
  const schema = z.toJSONSchema(BlueprintSchema, {
    target: "draft-7",
    io: "input",
    // Refinements and custom checks have no JSON Schema form; their field keeps its base type.
    unrepresentable: "any",
  }) as JsonSchema & Record<string, unknown>;
  dropUnknownFormats(schema);
  return {
    $schema: schema.$schema,
    title: "Fargate platform blueprint",
    description:
      "A blueprint file for BLUEPRINT=<file> (npm run blueprint -- show <name> prints a complete one). Generated from config/schema.ts by npm run docs:blueprint.",
    ...schema,
  };
}

/** JSON Schema's formats (draft-07, section 7.3); zod adds its own (`starts_with`) next to a pattern. */
const STANDARD_FORMATS = new Set([
  "email",
  "uri",
  "uri-reference",
  "date-time",
  "date",
  "time",
  "ipv4",
  "ipv6",
  "hostname",
  "uuid",
  "regex",
]);

function dropUnknownFormats(node: unknown): void {
  if (Array.isArray(node)) node.forEach(dropUnknownFormats);
  else if (node && typeof node === "object") {
    const record = node as Record<string, unknown>;
    if (typeof record.format === "string" && !STANDARD_FORMATS.has(record.format)) delete record.format;
    Object.values(record).forEach(dropUnknownFormats);
  }
}

// zod writes the safe-integer range for `.int()`; it says nothing to a reader.
const SAFE = Number.MAX_SAFE_INTEGER;
const json = (v: unknown) => `\`${JSON.stringify(v)}\``;

function typeOf(s: JsonSchema): string {
  if (s.const !== undefined) return json(s.const);
  if (s.enum) return s.enum.map(json).join(", ");
  const variants = s.anyOf ?? s.oneOf;
  // A discriminated union reads "object", not "object or object"; its variants follow as rows.
  if (variants) return [...new Set(variants.map(typeOf))].join(" or ");
  if (s.type === "array") return `list of ${s.items ? typeOf(s.items) : "any"}`;
  if (
    s.type === "object" &&
    s.additionalProperties &&
    typeof s.additionalProperties === "object" &&
    !s.properties
  )
    return `map of name to ${typeOf(s.additionalProperties)}`;
  return Array.isArray(s.type) ? s.type.join(" or ") : (s.type ?? "any");
}

function constraints(s: JsonSchema): string {
  const parts: string[] = [];
  if (s.minimum !== undefined && s.minimum > -SAFE) parts.push(`>= ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined && s.maximum < SAFE) parts.push(`<= ${s.maximum}`);
  if (s.minLength !== undefined && s.minLength > 0)
    parts.push(s.minLength === 1 ? "not empty" : `at least ${s.minLength} characters`);
  if (s.maxLength !== undefined) parts.push(`at most ${s.maxLength} characters`);
  if (s.minItems !== undefined && s.minItems === s.maxItems) parts.push(`exactly ${s.minItems} items`);
  else {
    if (s.minItems !== undefined && s.minItems > 0)
      parts.push(`at least ${s.minItems} item${s.minItems === 1 ? "" : "s"}`);
    if (s.maxItems !== undefined) parts.push(`at most ${s.maxItems} items`);
  }
  if (s.pattern) parts.push(`matches \`${s.pattern}\``);
  return parts.join("; ");
}

interface Row {
  readonly path: string;
  readonly type: string;
  readonly required: boolean;
  readonly default: string;
  readonly rules: string;
  readonly description: string;
}

function rows(s: JsonSchema, path: string, required: boolean, out: Row[]): void {
  if (path) {
    out.push({
      path,
      type: typeOf(s),
      required,
      default: s.default === undefined ? "" : json(s.default),
      rules: constraints(s),
      description: s.description ?? "",
    });
  }
  const variants = s.anyOf ?? s.oneOf;
  // A union's variants (a secret that is created or looked up): the fields of each.
  for (const branch of [s, ...(variants ?? [])])
    for (const [name, child] of Object.entries(branch.properties ?? {}))
      rows(child, path ? `${path}.${name}` : name, (branch.required ?? []).includes(name), out);
  if (s.type === "object" && typeof s.additionalProperties === "object" && !s.properties)
    rows(s.additionalProperties, `${path}.<name>`, true, out);
  if (s.type === "array" && (s.items?.properties || s.items?.anyOf || s.items?.oneOf))
    for (const branch of [s.items, ...(s.items.anyOf ?? s.items.oneOf ?? [])])
      for (const [name, child] of Object.entries(branch.properties ?? {}))
        rows(child, `${path}[].${name}`, (branch.required ?? []).includes(name), out);
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

/** The Markdown reference page. */
export function blueprintReference(schema: JsonSchema = blueprintJsonSchema()): string {
  const all: Row[] = [];
  rows(schema, "", true, all);
  // A union's variants describe the same path more than once: keep each path's first row per type.
  const seen = new Set<string>();
  const unique = all.filter((r) => {
    const key = `${r.path}\u0000${r.type}\u0000${r.default}`;
    if (!r.path || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return [
    "# Blueprint reference",
    "",
    "Every field of a blueprint file (`BLUEPRINT=<file>.yaml`), generated by `npm run docs:blueprint`",
    "from `config/schema.ts`; do not edit by hand. Editors that use yaml-language-server (VS Code's",
    "YAML extension, Neovim, JetBrains) validate and complete a file whose first line is",
    "`# yaml-language-server: $schema=<path to blueprint.schema.json>`, which",
    "`npm run blueprint -- show <name>` writes.",
    "",
    "Fields with a default may be left out. Rules that relate fields to each other (HTTPS needs a",
    "certificate, a service may only call services that listen, ...) are checked by the synth,",
    "not by the schema: `npx cdktf synth` names the field and the allowed values.",
    "",
    "| field | type | required | default | rules | description |",
    "| --- | --- | --- | --- | --- | --- |",
    ...unique.map(
      (r) =>
        `| \`${r.path}\` | ${cell(r.type)} | ${r.required && r.default === "" ? "yes" : ""} | ${cell(r.default)} | ${cell(r.rules)} | ${cell(r.description)} |`,
    ),
    "",
  ].join("\n");
}

/** The generated files, by path relative to the repository. */
export function generatedFiles(): Record<string, string> {
  const schema = blueprintJsonSchema();
  return {
    [SCHEMA_PATH]: `${JSON.stringify(schema, null, 2)}\n`,
    [REFERENCE_PATH]: blueprintReference(schema),
  };
}

if (require.main === module) {
  const root = join(__dirname, "..");
  for (const [path, text] of Object.entries(generatedFiles())) {
    writeFileSync(join(root, path), text);
    console.log(`wrote ${path}`);
  }
}
