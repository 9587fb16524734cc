/**
 * Every field of a blueprint carries a description (issue 19): the reference page and editors
 * show it. The walk covers nested objects, map values (`services.<name>`), list items and each
 * variant of a union (a secret that is created or looked up).
 */
import { blueprintJsonSchema } from "../../scripts/blueprint-docs";

interface Node {
  description?: string;
  properties?: Record<string, Node>;
  additionalProperties?: boolean | Node;
  items?: Node;
  anyOf?: Node[];
  oneOf?: Node[];
}

/**
 * Paths of the fields without a description, below `node`: object properties, and the values of
 * a map (`services.<name>`), which the reference lists as rows of their own.
 */
export function undescribedFields(node: Node, path = ""): string[] {
  const missing: string[] = [];
  for (const [name, child] of Object.entries(node.properties ?? {})) {
    const at = path ? `${path}.${name}` : name;
    if (!child.description?.trim()) missing.push(at);
    missing.push(...undescribedFields(child, at));
  }
  for (const variant of [...(node.anyOf ?? []), ...(node.oneOf ?? [])])
    missing.push(...undescribedFields(variant, path));
  if (node.items) missing.push(...undescribedFields(node.items, `${path}[]`));
  if (node.additionalProperties && typeof node.additionalProperties === "object") {
    const at = `${path}.<name>`;
    // A map's values (no properties of its own: tags' extra keys are plain strings, not a map).
    if (!node.properties && !node.additionalProperties.description?.trim()) missing.push(at);
    missing.push(...undescribedFields(node.additionalProperties, at));
  }
  return [...new Set(missing)];
}

test("every blueprint field has a description", () => {
  expect(undescribedFields(blueprintJsonSchema())).toEqual([]);
});

test("the walk finds an undescribed field in a map value, a list item, a union variant and a map's values", () => {
  const schema: Node = {
    properties: {
      services: {
        description: "services",
        additionalProperties: { description: "a service", properties: { kind: {} } },
      },
      rules: { description: "rules", items: { properties: { id: {} } } },
      secret: { description: "secret", anyOf: [{ properties: { name: {} } }] },
      environment: { description: "variables", additionalProperties: {} },
    },
  };
  expect(undescribedFields(schema)).toEqual([
    "services.<name>.kind",
    "rules[].id",
    "secret.name",
    "environment.<name>",
  ]);
});
