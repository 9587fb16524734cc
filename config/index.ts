/**
 * The config loader: the only place that reads `process.env`. It resolves the blueprint
 * (built-in name or YAML/JSON file), validates it with the schema and returns a frozen,
 * fully-defaulted PlatformConfig. Every error names the field path, the bad value and what
 * is allowed, and is raised before anything is synthesized.
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { BUILT_IN_BLUEPRINTS, DEFAULT_BLUEPRINT } from "./blueprints";
import { formatIssues, IssueSource } from "./issues";
import { Blueprint, BlueprintSchema, LoadBalancerSchema, ObservabilitySchema } from "./schema";
import { AWS_REGIONS } from "./aws-values";
import { ENVIRONMENT_SUFFIX_MAX, ENVIRONMENT_SUFFIX_PATTERN } from "../modules/naming";
import { EnvironmentInfo, selectEnvironment } from "./environments";
import { UserError } from "../modules/errors";

export * from "./schema";
export type { EnvironmentInfo } from "./environments";
export type { AccountConfig, DomainConfig } from "./targets";

export interface StateBackendConfig {
  /** S3 bucket holding every stack's state. */
  readonly bucket: string;
  readonly region: string;
  /**
   * Days a noncurrent state version (and an expired delete marker, e.g. of a lock file) is
   * kept before S3 deletes it. @default DEFAULT_STATE_NONCURRENT_DAYS
   */
  readonly noncurrentVersionDays: number;
  /**
   * Where the bucket name came from: TF_STATE_BUCKET, the account (`tfstate-<account>-<region>-
   * <blueprint>`), or the blueprint-only default kept for blueprints without environments or
   * account (a name in S3's global namespace: main.ts warns about it).
   */
  readonly bucketSource: "TF_STATE_BUCKET" | "account" | "blueprint-default";
}

/** How long superseded state versions stay recoverable by default. */
export const DEFAULT_STATE_NONCURRENT_DAYS = 90;

export type PlatformConfig = Readonly<
  Blueprint & {
    /** Goes into every resource name; identifies one deployed environment. */
    environmentSuffix: string;
    state: StateBackendConfig;
    /** Where the blueprint came from: `built-in:<name>` or a file path. */
    source: string;
    /** Which `environments:` entry (if any) the suffix selected (config/environments.ts). */
    environment: EnvironmentInfo;
    /**
     * TF_ASSUME_ROLE=true: the provider assumes `account.roleArn` itself. Off by default: CI
     * already runs as the workflow's role (role-to-assume), and a role assuming itself, or a
     * diff role chaining into the deploy role, would fail or widen trust. @default false
     */
    assumeRole?: boolean;
  }
>;

/** The environment variables the app reads, with their meaning (shown in errors and README). */
export const ENVIRONMENT_VARIABLES = {
  ENVIRONMENT_SUFFIX:
    "suffix of every resource name (default dev); selects the blueprint's environment of that name, if it declares one",
  ENVIRONMENT_TEMPLATE:
    "declared environment whose overrides an ad-hoc suffix (e.g. pr123) is built with (default: none, the blueprint as written)",
  BLUEPRINT: `built-in blueprint name or path to a .yaml/.yml/.json blueprint file (default ${DEFAULT_BLUEPRINT})`,
  TF_STATE_BUCKET:
    "S3 bucket for Terraform state (default tfstate-<account-id>-<region>-<blueprint> when the environment names its account; required when the blueprint declares environments without one; tfstate-<blueprint>-platform otherwise)",
  TF_ASSUME_ROLE:
    "true: the AWS provider assumes the environment's account.roleArn (for people with credentials of another account); default false, the ambient credentials (CI's role-to-assume) are used",
  TF_STATE_REGION: "region of the state bucket (default: the blueprint's region)",
  TF_STATE_NONCURRENT_DAYS: `days the state bucket keeps superseded state versions (default ${DEFAULT_STATE_NONCURRENT_DAYS})`,
  ALB_CERTIFICATE_ARN: "ACM certificate ARN; when set the ALB serves HTTPS and redirects HTTP",
  ALARM_EMAIL: "e-mail address subscribed to the alarm topic (optional)",
} as const;

/** A mistake in the blueprint or an environment variable; printed without a stack trace. */
export class ConfigError extends UserError {}

/** Largest blueprint file read (a real one is a few KiB; this stops /dev/zero-like inputs). */
export const MAX_BLUEPRINT_BYTES = 1024 * 1024;

/** Whether the user asked for stack traces of internal errors (PLATFORM_DEBUG=1). */
export function debugRequested(env: Env = process.env): boolean {
  return env.PLATFORM_DEBUG === "1";
}

type Env = Readonly<Record<string, string | undefined>>;

/** Default state bucket of a blueprint that declares no environments and names no account. */
export function defaultStateBucket(blueprint: string): string {
  return `tfstate-${blueprint}-platform`;
}

/**
 * Default state bucket of an environment that names its AWS account: unique per account,
 * region and blueprint, so it cannot collide with another account's bucket in S3's global
 * namespace (at most 8 + 12 + 1 + 14 + 1 + 16 = 52 of the 63 characters allowed).
 */
export function accountStateBucket(accountId: string, region: string, blueprint: string): string {
  return `tfstate-${accountId}-${region}-${blueprint}`;
}

function stateBucketFor(blueprint: Blueprint, info: EnvironmentInfo, region: string, env: Env): string {
  if (env.TF_STATE_BUCKET) return env.TF_STATE_BUCKET;
  if (blueprint.account) return accountStateBucket(blueprint.account.id, region, blueprint.name);
  // A blueprint with environments is meant for real accounts: a default in S3's global
  // namespace would be a guess (someone else's bucket, or one shared by every account).
  if (info.environments.length > 0)
    throw new ConfigError(
      `TF_STATE_BUCKET: not set, and ${info.declared ? `environment ${info.name}` : `the ad-hoc environment ${info.name}`} of blueprint ${blueprint.name} names no AWS account to derive it from. Set TF_STATE_BUCKET, or account.id in the blueprint or in environments.${info.template ?? info.name} (the default is then tfstate-<account-id>-<region>-${blueprint.name})`,
    );
  return defaultStateBucket(blueprint.name);
}

/**
 * The blueprint `ref` (built-in name or file) as environment `environment` sees it: its
 * overrides merged and every default filled in. What `npm run blueprint -- show <ref>
 * --environment <name>` prints; no environment variable is read.
 */
export function resolveBlueprint(ref: string, environment = "dev", template?: string): Blueprint {
  const { input, issueSource } = readBlueprint(ref);
  const selection = selectEnvironment(input, issueSource.label, environment, template);
  return parseBlueprint(selection.input, withSelection(issueSource, selection.applied, {}));
}

export function loadConfig(env: Env = process.env): PlatformConfig {
  const environmentSuffix = env.ENVIRONMENT_SUFFIX ?? "dev";
  if (
    !ENVIRONMENT_SUFFIX_PATTERN.test(environmentSuffix) ||
    environmentSuffix.length > ENVIRONMENT_SUFFIX_MAX
  ) {
    throw new ConfigError(
      `ENVIRONMENT_SUFFIX: "${environmentSuffix}" is not allowed: use 1-${ENVIRONMENT_SUFFIX_MAX} lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen and without "--" (e.g. dev, pr1234)`,
    );
  }
  const { input, source, issueSource } = readBlueprint(env.BLUEPRINT ?? DEFAULT_BLUEPRINT);
  const selection = selectEnvironment(
    input,
    issueSource.label,
    environmentSuffix,
    env.ENVIRONMENT_TEMPLATE || undefined,
  );
  const { blueprint: withOverrides, fromEnvironment } = applyEnvOverrides(selection.input, env);
  const blueprint = parseBlueprint(
    withOverrides,
    withSelection(issueSource, selection.applied, fromEnvironment),
  );
  blueprint.tags.Environment ??= environmentSuffix;

  const stateRegion = env.TF_STATE_REGION ?? blueprint.region;
  const stateBucket = stateBucketFor(blueprint, selection.info, stateRegion, env);
  const bucketSource = env.TF_STATE_BUCKET
    ? "TF_STATE_BUCKET"
    : blueprint.account
      ? "account"
      : "blueprint-default";
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(stateBucket)) {
    throw new ConfigError(
      `TF_STATE_BUCKET: "${stateBucket}" is not an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)`,
    );
  }
  if (!(AWS_REGIONS as readonly string[]).includes(stateRegion)) {
    throw new ConfigError(
      `TF_STATE_REGION: "${printable(stateRegion)}" is not an AWS region name (e.g. us-east-1; known: ${AWS_REGIONS.join(", ")})`,
    );
  }
  // State buckets hold every environment's state: no service may be granted this blueprint's,
  // TF_STATE_BUCKET, or any other blueprint's (they all follow the tfstate-* naming).
  for (const [name, svc] of Object.entries(blueprint.services)) {
    for (const [i, bucket] of svc.access.s3Buckets.entries()) {
      if (
        bucket.name === stateBucket ||
        bucket.name === env.TF_STATE_BUCKET ||
        bucket.name.startsWith("tfstate-")
      )
        throw new ConfigError(
          `${issueSource.label}: services.${name}.access.s3Buckets.${i}.name: ${bucket.name} is a Terraform state bucket (this environment's is ${stateBucket}; every name starting with "tfstate-" is reserved for state); no service may be granted one`,
        );
    }
  }
  const noncurrentDays = env.TF_STATE_NONCURRENT_DAYS ?? String(DEFAULT_STATE_NONCURRENT_DAYS);
  if (!/^[1-9]\d{0,4}$/.test(noncurrentDays)) {
    throw new ConfigError(
      `TF_STATE_NONCURRENT_DAYS: "${noncurrentDays}" is not a number of days (a whole number from 1 to 99999)`,
    );
  }
  const assumeRole = env.TF_ASSUME_ROLE ?? "false";
  if (assumeRole !== "true" && assumeRole !== "false")
    throw new ConfigError(
      `TF_ASSUME_ROLE: "${assumeRole}" is not allowed: use true or false (default false)`,
    );
  if (assumeRole === "true" && !blueprint.account?.roleArn)
    throw new ConfigError(
      `TF_ASSUME_ROLE: true, but environment ${environmentSuffix} of ${selection.label} names no account.roleArn to assume`,
    );
  return deepFreeze({
    ...blueprint,
    assumeRole: assumeRole === "true",
    environmentSuffix,
    state: {
      bucket: stateBucket,
      region: stateRegion,
      noncurrentVersionDays: Number(noncurrentDays),
      bucketSource,
    },
    source,
    environment: selection.info,
  });
}

/**
 * Validates a blueprint object. `source` names it in errors: a label such as
 * `blueprints.trading` (prefixed to field paths) or a file with its parsed document (file, line
 * and field path).
 */
export function parseBlueprint(input: unknown, source: string | IssueSource): Blueprint {
  const from = typeof source === "string" ? { label: source } : source;
  const result = BlueprintSchema.safeParse(input, { reportInput: true });
  if (!result.success) throw new ConfigError(formatIssues(result.error, BlueprintSchema, from));
  return result.data;
}

export function readBlueprint(ref: string): { input: unknown; source: string; issueSource: IssueSource } {
  // Own keys only: "toString" or "constructor" are not blueprints.
  if (Object.hasOwn(BUILT_IN_BLUEPRINTS, ref)) {
    return {
      input: structuredClone(BUILT_IN_BLUEPRINTS[ref]),
      source: `built-in:${ref}`,
      issueSource: { label: `blueprints.${ref}` },
    };
  }
  if (!/\.(ya?ml|json)$/i.test(ref)) {
    throw new ConfigError(
      `BLUEPRINT: "${printable(ref)}" is not a built-in blueprint (${Object.keys(BUILT_IN_BLUEPRINTS).join(", ")}) nor a .yaml/.yml/.json file`,
    );
  }
  const text = withoutNpmBanner(readBlueprintFile(ref));
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true, lineCounter });
  // A duplicated key (two services with one name) would silently keep the last one; name its path.
  const duplicates = duplicateKeyPaths(doc.contents);
  if (duplicates.length > 0) {
    throw new ConfigError(
      `BLUEPRINT: ${ref}: ${duplicates.map((p) => `${p}: is defined more than once (each name may appear once)`).join("; ")}`,
    );
  }
  if (doc.errors.length > 0) {
    throw new ConfigError(
      `BLUEPRINT: ${ref} is not valid YAML/JSON: ${doc.errors.map((e) => e.message).join("; ")}`,
    );
  }
  const input = toPlainData(doc, ref);
  return { input, source: ref, issueSource: { label: ref, document: doc, lineCounter } };
}

/**
 * Where errors of the selected environment's blueprint point: a field the environment
 * overrides at `environments.<name>.<field>` (with its line), any other at the base field.
 */
function withSelection(
  source: IssueSource,
  environment: string | undefined,
  fromEnvironment: Readonly<Record<string, string>>,
): IssueSource {
  return { ...source, environment, fromEnvironment };
}

/** A value safe to print: control characters and bytes of a binary file shown escaped. */
function printable(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1);
  return escaped.length > 120 ? `${escaped.slice(0, 117)}...` : escaped;
}

/**
 * The text of a blueprint file: a regular file of at most MAX_BLUEPRINT_BYTES, UTF-8 text.
 * Directories, devices (/dev/zero), FIFOs and binary files are refused with what was found.
 */
function readBlueprintFile(ref: string): string {
  const path = resolve(ref);
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new ConfigError(`BLUEPRINT: file ${ref} does not exist`);
  }
  if (stat.isDirectory())
    throw new ConfigError(`BLUEPRINT: ${ref} is a directory; name a .yaml/.yml/.json file`);
  if (!stat.isFile())
    throw new ConfigError(
      `BLUEPRINT: ${ref} is not a regular file (a device, socket or pipe); name a .yaml/.yml/.json file`,
    );
  if (stat.size > MAX_BLUEPRINT_BYTES)
    throw new ConfigError(
      `BLUEPRINT: ${ref} is ${stat.size} bytes; a blueprint file may be at most ${MAX_BLUEPRINT_BYTES} bytes`,
    );
  const buffer = Buffer.alloc(stat.size);
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    readSync(fd, buffer, 0, stat.size, 0);
  } catch (error) {
    throw new ConfigError(
      `BLUEPRINT: ${ref} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(buffer);
  } catch {
    throw new ConfigError(
      `BLUEPRINT: ${ref} is not UTF-8 text (a binary file?); a blueprint is YAML or JSON`,
    );
  }
  if (text.includes("\u0000"))
    throw new ConfigError(
      `BLUEPRINT: ${ref} contains NUL bytes (a binary file?); a blueprint is YAML or JSON`,
    );
  return text;
}

/** The document as plain data; YAML aliases are expanded with a bound (no "billion laughs"). */
function toPlainData(doc: Document, ref: string): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ConfigError(`BLUEPRINT: ${ref} cannot be read as data: ${(error as Error).message}`);
  }
}

/**
 * `npm run blueprint -- show x > x.yaml` also captures the banner npm prints on stdout before a
 * script (a blank line, `> <package>@<version> <script>`, `> <command>`, a blank line), which is
 * not YAML. Only that banner, of any package name, at the very top of the file, is dropped;
 * anything else stays a YAML error.
 */
export function withoutNpmBanner(text: string): string {
  return text.replace(/^(?:\r?\n)*> (?:@[^\s/@]+\/)?[^\s@]+@\S+ \S+\r?\n> [^\n]*\r?\n(?:\r?\n)?/, "");
}

/** Dotted paths of keys that appear twice in the same YAML/JSON mapping. */
function duplicateKeyPaths(node: unknown, path: string[] = []): string[] {
  if (isSeq(node)) return node.items.flatMap((item, i) => duplicateKeyPaths(item, [...path, String(i)]));
  if (!isMap(node)) return [];
  const seen = new Set<string>();
  return node.items.flatMap((pair) => {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const here = [...path, key];
    const dup = seen.has(key) ? [here.join(".")] : [];
    seen.add(key);
    return [...dup, ...duplicateKeyPaths(pair.value, here)];
  });
}

/**
 * Applies ALB_CERTIFICATE_ARN and ALARM_EMAIL to the blueprint. Each is checked first, so a bad
 * value is reported under its variable's name; the fields they set are returned so later
 * (cross-field) errors on them name the variable too.
 */
function applyEnvOverrides(
  input: unknown,
  env: Env,
): { blueprint: unknown; fromEnvironment: Record<string, string> } {
  const fromEnvironment: Record<string, string> = {};
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return { blueprint: input, fromEnvironment };
  const bp = input as Record<string, unknown>;
  const object = (value: unknown) =>
    typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  if (env.ALB_CERTIFICATE_ARN) {
    const problem = envValueProblem(LoadBalancerSchema.shape.certificateArn, env.ALB_CERTIFICATE_ARN);
    if (problem)
      throw new ConfigError(`ALB_CERTIFICATE_ARN: "${printable(env.ALB_CERTIFICATE_ARN)}": ${problem}`);
    bp.loadBalancer = { ...object(bp.loadBalancer), certificateArn: env.ALB_CERTIFICATE_ARN, https: true };
    fromEnvironment["loadBalancer.certificateArn"] = "ALB_CERTIFICATE_ARN";
  }
  if (env.ALARM_EMAIL) {
    const problem = envValueProblem(ObservabilitySchema.shape.alarmEmail, env.ALARM_EMAIL);
    if (problem)
      throw new ConfigError(`ALARM_EMAIL: "${printable(env.ALARM_EMAIL)}": ${problem} (an e-mail address)`);
    bp.observability = { ...object(bp.observability), alarmEmail: env.ALARM_EMAIL };
    fromEnvironment["observability.alarmEmail"] = "ALARM_EMAIL";
  }
  return { blueprint: bp, fromEnvironment };
}

function envValueProblem(schema: z.ZodType, value: string): string | undefined {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues.map((i) => i.message).join("; ");
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
