/**
 * The release manifest: the platform stack's `release_manifest` output (type
 * `ReleaseManifest` in modules/contracts.ts), read from a JSON file or fetched with
 * `cdktf output platform`. Validated here so a stale or hand-edited file fails with the field
 * that is wrong instead of an SDK validation error halfway through a release.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { DEPLOYMENT_STRATEGIES, SERVICE_KINDS } from "../../config/schema";
import type { ReleaseManifest, ReleaseManifestEntry } from "../../modules/contracts";
import { ReleaseError } from "./errors";
import { readPlatformOutputs, type CommandRunner } from "../platform-outputs";

export const MANIFEST_OUTPUT = "release_manifest";

const EntrySchema = z.object({
  kind: z.enum(SERVICE_KINDS),
  clusterName: z.string().min(1),
  serviceName: z.string().min(1).optional(),
  taskDefinitionFamily: z.string().min(1),
  containerName: z.string().min(1),
  containerPort: z.number().int(),
  repositoryUrl: z.string().min(1),
  imageParameterName: z.string().regex(/^\/[a-zA-Z0-9_./-]+$/, "is not an SSM parameter name"),
  strategy: z.enum(DEPLOYMENT_STRATEGIES).optional(),
  bakeTimeMinutes: z.number().int().min(0).optional(),
  codedeployApplication: z.string().min(1).optional(),
  codedeployDeploymentGroup: z.string().min(1).optional(),
  counts: z
    .object({ desired: z.number().int().min(0), min: z.number().int().min(0), max: z.number().int().min(1) })
    .optional(),
  schedule: z.object({ name: z.string().min(1), group: z.string().min(1) }).optional(),
});
const ManifestSchema = z.record(z.string(), EntrySchema);

/**
 * Finds the `release_manifest` value in what it is given: the manifest itself, a
 * `cdktf output --outputs-file` document (`{ platform: { release_manifest: ... } }`, nested
 * by construct path when the output lives inside a construct), or a JSON-encoded string.
 */
export function extractManifest(document: unknown, source: string): ReleaseManifest {
  const found = findOutput(document);
  const value = typeof found === "string" ? parseJson(found, source) : found;
  if (value === undefined) {
    throw new ReleaseError(
      `${source}: no "${MANIFEST_OUTPUT}" output found; deploy the platform stack first (npx cdktf deploy network platform)`,
    );
  }
  const result = ManifestSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${[MANIFEST_OUTPUT, ...i.path].join(".")}: ${i.message}`);
    throw new ReleaseError(`${source}: invalid release manifest:\n  ${issues.join("\n  ")}`);
  }
  return result.data;
}

function findOutput(document: unknown, depth = 0): unknown {
  if (document === null || typeof document !== "object" || depth > 4) return undefined;
  const record = document as Record<string, unknown>;
  if (MANIFEST_OUTPUT in record) return record[MANIFEST_OUTPUT];
  // A bare manifest: every value is a service entry.
  const values = Object.values(record);
  if (values.length > 0 && values.every((v) => EntrySchema.safeParse(v).success)) return record;
  for (const child of values) {
    const found = findOutput(child, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ReleaseError(`${source}: not valid JSON (${(error as Error).message})`);
  }
}

export function readManifestFile(path: string): ReleaseManifest {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new ReleaseError(`--manifest ${path}: file cannot be read`);
  }
  return extractManifest(parseJson(text, path), path);
}

export type { CommandRunner } from "../platform-outputs";

/**
 * Reads the manifest from the deployed platform stack's state, with the CLI of the selected
 * runtime (`npx cdktf output platform`, or `npx cdktn …` with CDK_RUNTIME=cdktn).
 */
export function fetchManifest(
  run?: CommandRunner,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ReleaseManifest {
  return readPlatformOutputs(readManifestFile, (message) => new ReleaseError(message), run, env);
}

export function serviceEntry(manifest: ReleaseManifest, service: string): ReleaseManifestEntry {
  const entry = manifest[service];
  if (!entry) {
    const known = Object.keys(manifest).sort();
    throw new ReleaseError(
      `unknown service "${service}": the platform has ${known.length > 0 ? known.join(", ") : "no services"}`,
    );
  }
  return entry;
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`: the platform's region, where ECS lives too. */
export function regionOfRepository(repositoryUrl: string): string | undefined {
  return /^\d{12}\.dkr\.ecr(?:-fips)?\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com(?:\.cn)?\//.exec(
    repositoryUrl,
  )?.[1];
}
