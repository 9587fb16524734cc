/**
 * What every operator command (diff, doctor, status, logs, cost) knows about the environment it
 * looks at: the loaded config (BLUEPRINT, ENVIRONMENT_SUFFIX, TF_STATE_* as the synth reads
 * them), its naming, and the options the commands share. Selecting an environment happens here
 * and nowhere else, so a new selector (an `--environment <name>` option) is added once.
 */
import { existsSync, readFileSync } from "node:fs";
import { ConfigError, loadConfig, PlatformConfig } from "../../config";
import { Naming } from "../../modules/naming";
import { STACK_IDS } from "../../stacks/base";
import { stateStackStateFile } from "../../stacks/state-stack";

type Env = Readonly<Record<string, string | undefined>>;

export interface OperatorEnvironment {
  readonly config: PlatformConfig;
  readonly naming: Naming;
}

/** Options every operator command accepts. */
export interface CommonOptions {
  /** `--blueprint <name|file>`: overrides BLUEPRINT. */
  readonly blueprint?: string;
  /** `--suffix <suffix>`: overrides ENVIRONMENT_SUFFIX. */
  readonly suffix?: string;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const COMMON_USAGE =
  "[--blueprint <name|file>] [--suffix <environment suffix>]  (default: BLUEPRINT and ENVIRONMENT_SUFFIX, else trading/dev)";

/**
 * Splits `argv` into the common options, the command's own flags (`--name value`, or `--name`
 * alone for the names in `switches`) and positional arguments. An unknown flag is an error
 * naming the allowed ones.
 */
export function parseArgs(
  argv: readonly string[],
  spec: { readonly values?: readonly string[]; readonly switches?: readonly string[] },
): { common: CommonOptions; values: Map<string, string>; switches: Set<string>; positional: string[] } {
  const valueFlags = new Set(["--blueprint", "--suffix", ...(spec.values ?? [])]);
  const switchFlags = new Set(spec.switches ?? []);
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
    } else if (switchFlags.has(arg)) {
      switches.add(arg);
    } else if (valueFlags.has(arg)) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new UsageError(`${arg}: needs a value`);
      values.set(arg, value);
      i++;
    } else {
      throw new UsageError(
        `${arg}: unknown option (allowed: ${[...valueFlags, ...switchFlags].sort().join(", ")})`,
      );
    }
  }
  const common = { blueprint: values.get("--blueprint"), suffix: values.get("--suffix") };
  values.delete("--blueprint");
  values.delete("--suffix");
  return { common, values, switches, positional };
}

/** The environment the options and variables select, validated like a synth validates it. */
export function loadEnvironment(options: CommonOptions = {}, env: Env = process.env): OperatorEnvironment {
  const config = loadConfig({
    ...env,
    ...(options.blueprint !== undefined ? { BLUEPRINT: options.blueprint } : {}),
    ...(options.suffix !== undefined ? { ENVIRONMENT_SUFFIX: options.suffix } : {}),
  });
  return { config, naming: new Naming(config.name, config.environmentSuffix) };
}

/** The stacks of one environment, in deploy order (the state stack is per account, not per environment). */
export const ENVIRONMENT_STACKS = STACK_IDS;

/**
 * The account the environment lives in, as far as this checkout knows it: the account of the
 * state bucket's KMS key in the state stack's local state file (written by `cdktf deploy
 * state`). Undefined when this checkout never deployed the state stack.
 */
export function expectedAccount(
  config: PlatformConfig,
  read: (path: string) => string | undefined = readIfExists,
): string | undefined {
  const text = read(stateStackStateFile(config));
  return text?.match(/arn:aws[a-z-]*:kms:[a-z0-9-]+:(\d{12}):key\//)?.[1];
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/** What a command without working credentials tells the operator: what it expected, and how to log in. */
export function loginHelp(
  config: PlatformConfig,
  account: string | undefined = expectedAccount(config),
): string {
  return [
    `This environment (blueprint ${config.name}, suffix ${config.environmentSuffix}) keeps its state in`,
    `  s3://${config.state.bucket}/${config.name}/${config.environmentSuffix}/<stack>.tfstate (region ${config.state.region})`,
    `  and is deployed to region ${config.region}, account ${account ?? "unknown to this checkout (the account that owns the state bucket)"}.`,
    "Log in with credentials for that account, then check them with `npm run doctor`:",
    "  aws sso login --profile <profile> && export AWS_PROFILE=<profile>",
    "  (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN; in CI aws-actions/configure-aws-credentials)",
    "  Another bucket or region: TF_STATE_BUCKET / TF_STATE_REGION.",
  ].join("\n");
}

/** Output of Terraform, the S3 backend or the AWS SDK that means: no usable credentials. */
export const CREDENTIAL_FAILURE =
  /no valid credential sources|NoCredentialProviders|failed to refresh cached credentials|ExpiredToken|InvalidClientTokenId|InvalidAccessKeyId|SignatureDoesNotMatch|UnrecognizedClientException|could not load credentials|CredentialsProviderError|Could not load credentials|get identity|retrieving caller identity|no EC2 IMDS role found|The security token included in the request is (invalid|expired)|error configuring S3 Backend|Failed to get existing workspaces|AccessDenied/i;

/** Throws a usage error unless `value` is one of `allowed`, naming the field and the allowed values. */
export function oneOf<T extends string>(field: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${field}: "${value}" is not allowed (${allowed.join(", ")})`);
  return value as T;
}

export { ConfigError };
