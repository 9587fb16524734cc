/**
 * `npm run doctor`: is this machine ready to deploy the environment (BLUEPRINT,
 * ENVIRONMENT_SUFFIX)? Checks, each with its answer and the fix when it fails: Node.js and
 * Terraform versions, AWS credentials (STS GetCallerIdentity), the account and region the
 * environment expects, the state bucket (exists in that account, versioning, encryption) and
 * which stacks have state yet. Read-only; every AWS call has a short timeout, so it answers in
 * seconds. Exit 0 when nothing failed, 1 otherwise, 2 on a usage or config error.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  HeadObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { WRITE_ONLY_TERRAFORM_VERSION } from "../modules/secrets";
import {
  COMMON_USAGE,
  ENVIRONMENT_STACKS,
  expectedAccount,
  loadEnvironment,
  loginHelp,
  OperatorEnvironment,
  parseArgs,
} from "./operator/environment";

export type CheckStatus = "ok" | "warn" | "fail" | "skip";

export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do about it (failed and warned checks). */
  readonly fix?: string;
}

export interface DoctorDeps {
  readonly nodeVersion: string;
  /** `terraform version -json` output, or undefined when Terraform is not on PATH. */
  readonly terraformVersion: () => Promise<string | undefined>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly sts: STSClient;
  /** An S3 client in the state bucket's region. */
  readonly s3: S3Client;
  /** The account of the state stack's local state, when this checkout has it. */
  readonly expectedAccount?: string;
  readonly fileExists: (path: string) => boolean;
}

/** The oldest Node.js the app supports (package.json engines). */
export const MIN_NODE_MAJOR = 20;
/** The oldest Terraform every stack accepts (platform: write-only secret attributes). */
export const MIN_TERRAFORM = WRITE_ONLY_TERRAFORM_VERSION.replace(/^>=\s*/, "");

const versionParts = (v: string) => v.replace(/^v/, "").split(/[.-]/).slice(0, 3).map(Number);
function atLeast(version: string, minimum: string): boolean {
  const [a, b] = [versionParts(version), versionParts(minimum)];
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  return true;
}

const errorName = (error: unknown) =>
  (error as { name?: string }).name ?? (error as Error).message ?? String(error);
const httpStatus = (error: unknown) =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/** Runs every check in order; a check that needs credentials is skipped without them. */
export async function runChecks(target: OperatorEnvironment, deps: DoctorDeps): Promise<Check[]> {
  const { config, naming } = target;
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);

  const nodeMajor = versionParts(deps.nodeVersion)[0];
  add(
    nodeMajor >= MIN_NODE_MAJOR
      ? { name: "Node.js", status: "ok", detail: deps.nodeVersion }
      : {
          name: "Node.js",
          status: "fail",
          detail: `${deps.nodeVersion} is older than ${MIN_NODE_MAJOR}`,
          fix: `install Node.js ${MIN_NODE_MAJOR} or newer (CDK_RUNTIME=cdktn's CLI needs 22)`,
        },
  );

  const tfJson = await deps.terraformVersion();
  const tf =
    tfJson === undefined
      ? undefined
      : (JSON.parse(tfJson) as { terraform_version?: string }).terraform_version;
  if (tf === undefined) {
    add({
      name: "Terraform",
      status: "fail",
      detail: "terraform is not on PATH",
      fix: `install Terraform ${MIN_TERRAFORM} or newer (https://developer.hashicorp.com/terraform/install)`,
    });
  } else if (!atLeast(tf, MIN_TERRAFORM)) {
    add({
      name: "Terraform",
      status: "fail",
      detail: `${tf} is older than ${MIN_TERRAFORM} (the platform stack uses write-only attributes)`,
      fix: `upgrade Terraform to ${MIN_TERRAFORM} or newer`,
    });
  } else {
    add({ name: "Terraform", status: "ok", detail: tf });
  }
  const cliConfig = deps.env.TF_CLI_CONFIG_FILE;
  if (cliConfig && !deps.fileExists(cliConfig)) {
    add({
      name: "Terraform CLI config",
      status: "warn",
      detail: `TF_CLI_CONFIG_FILE names ${cliConfig}, which does not exist (every CLI command prints a warning, labelled [ERROR] by cdktf)`,
      fix: `create the file or unset TF_CLI_CONFIG_FILE`,
    });
  }

  let account: string | undefined;
  try {
    const id = await deps.sts.send(new GetCallerIdentityCommand({}));
    account = id.Account;
    add({ name: "AWS credentials", status: "ok", detail: `${id.Arn} (account ${id.Account})` });
  } catch (error) {
    add({
      name: "AWS credentials",
      status: "fail",
      detail: `STS GetCallerIdentity failed: ${errorName(error)}`,
      fix: loginHelp(config, deps.expectedAccount),
    });
  }

  if (account === undefined) {
    add({ name: "account", status: "skip", detail: "needs credentials" });
  } else if (deps.expectedAccount === undefined) {
    add({
      name: "account",
      status: "warn",
      detail: `${account}; this checkout has no state of the state stack to compare with (the state bucket's owner is checked below)`,
    });
  } else if (deps.expectedAccount !== account) {
    add({
      name: "account",
      status: "fail",
      detail: `logged in to ${account}, but the state bucket of blueprint ${config.name} was deployed to ${deps.expectedAccount}`,
      fix: `log in to account ${deps.expectedAccount} (another AWS_PROFILE)`,
    });
  } else {
    add({ name: "account", status: "ok", detail: `${account}, the account of the state bucket` });
  }

  const bucket = config.state.bucket;
  if (account === undefined) {
    add({ name: "state bucket", status: "skip", detail: `s3://${bucket}: needs credentials` });
    add({ name: "stacks with state", status: "skip", detail: "needs credentials" });
    return checks;
  }
  // ExpectedBucketOwner: S3 answers 403 when the bucket belongs to another account, so a
  // same-named bucket elsewhere is never mistaken for ours (S3 API, "Verifying bucket ownership").
  const owner = { Bucket: bucket, ExpectedBucketOwner: account };
  try {
    const location = await deps.s3.send(new GetBucketLocationCommand(owner));
    // GetBucketLocation answers an empty LocationConstraint for us-east-1.
    const region = location.LocationConstraint || "us-east-1";
    add(
      region === config.state.region
        ? { name: "state bucket", status: "ok", detail: `s3://${bucket} in ${region}, owned by ${account}` }
        : {
            name: "state bucket",
            status: "fail",
            detail: `s3://${bucket} is in ${region}, the backend expects ${config.state.region}`,
            fix: `set TF_STATE_REGION=${region}, or use the bucket of region ${config.state.region} (TF_STATE_BUCKET)`,
          },
    );
  } catch (error) {
    const status = httpStatus(error);
    const missing = status === 404 || errorName(error) === "NoSuchBucket";
    add({
      name: "state bucket",
      status: "fail",
      detail: missing
        ? `s3://${bucket} does not exist`
        : `s3://${bucket}: ${errorName(error)}${status === 403 ? " (not owned by this account, or no s3:GetBucketLocation)" : ""}`,
      fix: missing
        ? `create it once per account and blueprint: BLUEPRINT=${config.name} npx cdktf deploy state (or set TF_STATE_BUCKET)`
        : // Bucket names are global: the default name may belong to someone else's account.
          `if s3://${bucket} is not yours (bucket names are global${config.state.bucketSource === "blueprint-default" ? "; this is the blueprint's default name" : ""}), choose a unique one:\n` +
          `TF_STATE_BUCKET=<unique name> BLUEPRINT=${config.name} npx cdktf deploy state, and keep TF_STATE_BUCKET set;\n` +
          `if it is yours, log in to the account that owns it, with s3:GetBucketLocation on it`,
    });
    add({ name: "stacks with state", status: "skip", detail: "needs the state bucket" });
    return checks;
  }

  try {
    const v = await deps.s3.send(new GetBucketVersioningCommand(owner));
    add(
      v.Status === "Enabled"
        ? { name: "bucket versioning", status: "ok", detail: "enabled" }
        : {
            name: "bucket versioning",
            status: "fail",
            detail: `${v.Status ?? "never enabled"}: an overwritten or deleted state could not be recovered`,
            fix: `redeploy the state stack (BLUEPRINT=${config.name} npx cdktf deploy state), which enables it`,
          },
    );
  } catch (error) {
    add({
      name: "bucket versioning",
      status: "fail",
      detail: errorName(error),
      fix: "needs s3:GetBucketVersioning on the bucket",
    });
  }

  try {
    const e = await deps.s3.send(new GetBucketEncryptionCommand(owner));
    const rule = e.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
    add(
      rule?.SSEAlgorithm === "aws:kms"
        ? {
            name: "bucket encryption",
            status: "ok",
            detail: `SSE-KMS (${rule.KMSMasterKeyID ?? "default key"})`,
          }
        : {
            name: "bucket encryption",
            status: "fail",
            detail: `${rule?.SSEAlgorithm ?? "none"}, not SSE-KMS with the state key`,
            fix: `redeploy the state stack (BLUEPRINT=${config.name} npx cdktf deploy state)`,
          },
    );
  } catch (error) {
    add({
      name: "bucket encryption",
      status: "fail",
      detail: errorName(error),
      fix: "needs s3:GetEncryptionConfiguration on the bucket",
    });
  }

  const present: string[] = [];
  const absent: string[] = [];
  const unknown: string[] = [];
  for (const stack of ENVIRONMENT_STACKS) {
    try {
      const head = await deps.s3.send(new HeadObjectCommand({ ...owner, Key: naming.stateKey(stack) }));
      present.push(
        `${stack} (${head.LastModified?.toISOString().slice(0, 16).replace("T", " ") ?? "?"} UTC)`,
      );
    } catch (error) {
      // Without s3:ListBucket, S3 answers 403 for a missing key too: the answer says nothing.
      if (httpStatus(error) === 404 || errorName(error) === "NotFound") absent.push(stack);
      else unknown.push(`${stack} (${errorName(error)})`);
    }
  }
  add({
    name: "stacks with state",
    status: unknown.length > 0 ? "warn" : "ok",
    detail:
      absent.length === ENVIRONMENT_STACKS.length
        ? `none yet: environment ${config.environmentSuffix} was never deployed (npm run deploy)`
        : [
            `${present.join(", ") || "none"}`,
            ...(absent.length > 0 ? [`no state yet: ${absent.join(", ")}`] : []),
            ...(unknown.length > 0 ? [`unknown: ${unknown.join(", ")}`] : []),
          ].join("; "),
    fix:
      unknown.length > 0
        ? `needs s3:GetObject and s3:ListBucket on s3://${bucket} (without ListBucket S3 answers 403 for a missing state too)`
        : undefined,
  });
  return checks;
}

const MARK: Record<CheckStatus, string> = { ok: "ok  ", warn: "warn", fail: "FAIL", skip: "skip" };

export function formatChecks(target: OperatorEnvironment, checks: readonly Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = [
    `doctor: blueprint ${target.config.name}, environment ${target.config.environmentSuffix}, region ${target.config.region}`,
  ];
  for (const c of checks) {
    lines.push(`  ${MARK[c.status]}  ${c.name.padEnd(width)}  ${c.detail}`);
    const pad = " ".repeat(width + 10);
    if (c.fix && c.status !== "ok")
      lines.push(...c.fix.split("\n").map((l, i) => `${pad}${i === 0 ? "fix: " : "     "}${l}`));
  }
  const failed = checks.filter((c) => c.status === "fail").length;
  lines.push(failed === 0 ? "doctor: ready" : `doctor: ${failed} check(s) failed`);
  return lines.join("\n");
}

/** AWS calls give up after 3 s and one retry: doctor answers in seconds, also offline. */
const FAST = { maxAttempts: 2, requestHandler: { connectionTimeout: 3000, requestTimeout: 3000 } } as const;

export async function main(
  argv: readonly string[],
  print: (text: string) => void = console.log,
): Promise<number> {
  let target: OperatorEnvironment;
  try {
    const args = parseArgs(argv, {});
    if (args.positional.length > 0) throw new Error(`unexpected argument ${args.positional[0]}`);
    target = loadEnvironment(args.common);
  } catch (error) {
    print(`${(error as Error).message}\nusage: npm run doctor -- ${COMMON_USAGE}`);
    return 2;
  }
  const checks = await runChecks(target, {
    nodeVersion: process.version,
    terraformVersion: () =>
      new Promise((resolve) =>
        execFile("terraform", ["version", "-json"], { timeout: 10_000 }, (error, stdout) =>
          resolve(error ? undefined : stdout),
        ),
      ),
    env: process.env,
    sts: new STSClient({ region: target.config.state.region, ...FAST }),
    s3: new S3Client({ region: target.config.state.region, ...FAST }),
    expectedAccount: expectedAccount(target.config),
    fileExists: existsSync,
  });
  print(formatChecks(target, checks));
  return checks.some((c) => c.status === "fail") ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
