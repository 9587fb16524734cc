/**
 * The config loader: the only place that reads `process.env`. It resolves the blueprint
 * (built-in name or YAML/JSON file), validates it with the schema and returns a frozen,
 * fully-defaulted PlatformConfig. Every error names the field path, the bad value and what
 * is allowed, and is raised before anything is synthesized.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { z } from "zod";
import { BUILT_IN_BLUEPRINTS, DEFAULT_BLUEPRINT } from "./blueprints";
import { Blueprint, BlueprintSchema } from "./schema";
import { ENVIRONMENT_SUFFIX_MAX, ENVIRONMENT_SUFFIX_PATTERN } from "../modules/naming";
import { EnvironmentInfo, selectEnvironment } from "./environments";

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

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
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
  const { input, label } = readBlueprint(ref);
  const selection = selectEnvironment(input, label, environment, template);
  return parseBlueprint(selection.input, selection.label);
}

export function loadConfig(env: Env = process.env): PlatformConfig {
  const environmentSuffix = env.ENVIRONMENT_SUFFIX ?? "dev";
  if (
    !ENVIRONMENT_SUFFIX_PATTERN.test(environmentSuffix) ||
    environmentSuffix.length > ENVIRONMENT_SUFFIX_MAX
  ) {
    throw new ConfigError(
      `ENVIRONMENT_SUFFIX: "${environmentSuffix}" is not allowed: use 1-${ENVIRONMENT_SUFFIX_MAX} lowercase letters, digits and hyphens, starting with a letter (e.g. dev, pr1234)`,
    );
  }
  const { input, source, label } = readBlueprint(env.BLUEPRINT ?? DEFAULT_BLUEPRINT);
  const selection = selectEnvironment(input, label, environmentSuffix, env.ENVIRONMENT_TEMPLATE || undefined);
  const withOverrides = applyEnvOverrides(selection.input, env);
  const blueprint = parseBlueprint(withOverrides, selection.label);
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
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(stateRegion)) {
    throw new ConfigError(`TF_STATE_REGION: "${stateRegion}" is not an AWS region name (e.g. us-east-1)`);
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

/** Validates a blueprint object; `label` prefixes error paths (e.g. `blueprints.trading`). */
export function parseBlueprint(input: unknown, label: string): Blueprint {
  const result = BlueprintSchema.safeParse(input, { reportInput: true });
  if (!result.success) throw new ConfigError(formatIssues(result.error, label));
  return result.data;
}

export function formatIssues(error: z.ZodError, label: string): string {
  const lines = error.issues.map((i) => {
    const path = [label, ...i.path.map(String)].join(".");
    // Custom (cross-field) messages already name the value; others show the primitive received.
    const shown =
      i.code !== "custom" && "input" in i && ["string", "number", "boolean"].includes(typeof i.input);
    const value = shown ? `${JSON.stringify(i.input)}: ` : "";
    let message = i.message;
    if (i.code === "invalid_value" && "values" in i)
      message = `must be one of ${i.values.map((v) => JSON.stringify(v)).join(", ")}`;
    if (i.code === "unrecognized_keys") message = `unknown field(s) ${i.keys.join(", ")}`;
    if (i.code === "invalid_union" && "note" in i && i.note === "No matching discriminator") {
      message = 'source must be one of "create", "lookup"';
    }
    return `${path}: ${value}${message}`;
  });
  return `invalid blueprint ${label}:\n  ${lines.join("\n  ")}`;
}

export function readBlueprint(ref: string): { input: unknown; source: string; label: string } {
  if (ref in BUILT_IN_BLUEPRINTS) {
    return {
      input: structuredClone(BUILT_IN_BLUEPRINTS[ref]),
      source: `built-in:${ref}`,
      label: `blueprints.${ref}`,
    };
  }
  if (/\.(ya?ml|json)$/i.test(ref)) {
    const path = resolve(ref);
    if (!existsSync(path)) throw new ConfigError(`BLUEPRINT: file ${ref} does not exist`);
    const doc = parseDocument(withoutNpmBanner(readFileSync(path, "utf8")), {
      uniqueKeys: true,
      prettyErrors: true,
    });
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
    return { input: doc.toJS(), source: ref, label: ref };
  }
  throw new ConfigError(
    `BLUEPRINT: "${ref}" is not a built-in blueprint (${Object.keys(BUILT_IN_BLUEPRINTS).join(", ")}) nor a .yaml/.yml/.json file`,
  );
}

/**
 * `npm run blueprint -- show x > x.yaml` also captures the banner npm prints on stdout before a
 * script (`> fargate-platform@0.1.0 blueprint` and `> <command>`), which is not YAML. Only that
 * banner, at the very top of the file, is dropped; anything else stays a YAML error.
 */
export function withoutNpmBanner(text: string): string {
  return text.replace(/^\s*> fargate-platform@\S+ \S+\r?\n> [^\n]*\r?\n/, "");
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

function applyEnvOverrides(input: unknown, env: Env): unknown {
  if (typeof input !== "object" || input === null) return input;
  const bp = input as Record<string, unknown>;
  if (env.ALB_CERTIFICATE_ARN) {
    const lb = (bp.loadBalancer ?? {}) as Record<string, unknown>;
    bp.loadBalancer = { ...lb, certificateArn: env.ALB_CERTIFICATE_ARN, https: true };
  }
  if (env.ALARM_EMAIL) {
    const obs = (bp.observability ?? {}) as Record<string, unknown>;
    bp.observability = { ...obs, alarmEmail: env.ALARM_EMAIL };
  }
  return bp;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
