/**
 * Helpers for module unit tests: synthesize one scope and read resources, data sources and
 * references out of the parsed JSON.
 */
import { TerraformOutput, Testing } from "cdktf";
import type { Construct } from "constructs";

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Synthesizes the constructs `build` adds to a test scope and parses the result. */
export function synthScope(build: (scope: Construct) => void): Json {
  return JSON.parse(Testing.synthScope(build));
}

/** Resources (or data sources with `block: "data"`) of a type, by logical id. */
export function all(json: Json, type: string, block: "resource" | "data" = "resource"): Record<string, Json> {
  return json[block]?.[type] ?? {};
}

/** The single resource of a type with its logical id (throws unless exactly one exists). */
export function only(
  json: Json,
  type: string,
  block: "resource" | "data" = "resource",
): Json & { id: string } {
  const entries = Object.entries(all(json, type, block));
  if (entries.length !== 1) throw new Error(`expected exactly one ${type}, found ${entries.length}`);
  const [id, body] = entries[0];
  return { ...body, id };
}

/** The Terraform reference to an attribute of a resource (`data.` prefix for data sources). */
export function ref(
  type: string,
  id: string,
  attribute: string,
  block: "resource" | "data" = "resource",
): string {
  return `\${${block === "data" ? "data." : ""}${type}.${id}.${attribute}}`;
}

/** The statements of an `aws_iam_policy_document` data source, by sid. */
export function statements(doc: Json): Record<string, Json> {
  return Object.fromEntries((doc.statement as Json[]).map((s) => [s.sid, s]));
}

/**
 * Exposes a construct's public value (a token) as an output of the test scope, so the test can
 * read what it resolves to with {@link probed}.
 */
export function probe(scope: Construct, name: string, value: unknown): void {
  new TerraformOutput(scope, name, { value });
}

/** The resolved value of a {@link probe}. */
export function probed(json: Json, name: string): unknown {
  return json.output?.[name]?.value;
}
