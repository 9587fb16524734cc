/**
 * `npm run doctor` against mocked STS and S3: each check's answer and fix, and that checks which
 * need credentials are skipped (not failed twice) without them.
 */
import {
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  HeadObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { Check, DoctorDeps, formatChecks, runChecks } from "../../scripts/doctor";
import { expectedAccount, loadEnvironment } from "../../scripts/operator/environment";

const ACCOUNT = "123456789012";
const target = loadEnvironment({}, { BLUEPRINT: "trading", ENVIRONMENT_SUFFIX: "dev" });
const sts = mockClient(STSClient);
const s3 = mockClient(S3Client);

const awsError = (name: string, status: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

function deps(overrides: Partial<DoctorDeps> = {}): DoctorDeps {
  return {
    nodeVersion: "v20.20.2",
    terraformVersion: async () => JSON.stringify({ terraform_version: "1.11.4" }),
    env: {},
    sts: new STSClient({ region: "us-east-1" }),
    s3: new S3Client({ region: "us-east-1" }),
    expectedAccount: ACCOUNT,
    fileExists: () => true,
    ...overrides,
  };
}
const byName = (checks: Check[]) => Object.fromEntries(checks.map((c) => [c.name, c]));

beforeEach(() => {
  sts.reset();
  s3.reset();
  sts
    .on(GetCallerIdentityCommand)
    .resolves({ Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ops/me` });
  s3.on(GetBucketLocationCommand).resolves({});
  s3.on(GetBucketVersioningCommand).resolves({ Status: "Enabled" });
  s3.on(GetBucketEncryptionCommand).resolves({
    ServerSideEncryptionConfiguration: {
      Rules: [
        {
          ApplyServerSideEncryptionByDefault: {
            SSEAlgorithm: "aws:kms",
            KMSMasterKeyID: "alias/tfstate-trading-platform",
          },
        },
      ],
    },
  });
  s3.on(HeadObjectCommand).rejects(awsError("NotFound", 404));
  s3.on(HeadObjectCommand, { Key: "trading/dev/network.tfstate" }).resolves({
    LastModified: new Date("2026-12-01T10:00:00Z"),
  });
});

test("a ready environment passes every check and names the stacks with state", async () => {
  const checks = await runChecks(target, deps());
  expect(checks.filter((c) => c.status !== "ok")).toEqual([]);
  expect(byName(checks)["stacks with state"].detail).toBe(
    "network (2026-12-01 10:00 UTC); no state yet: registry, platform, observability",
  );
  expect(s3.commandCalls(GetBucketLocationCommand)[0].args[0].input).toEqual({
    Bucket: "tfstate-trading-platform",
    ExpectedBucketOwner: ACCOUNT,
  });
  expect(formatChecks(target, checks)).toMatch(/doctor: ready$/);
});

test("without credentials: the login help names bucket, region and account; later checks are skipped", async () => {
  sts.on(GetCallerIdentityCommand).rejects(awsError("CredentialsProviderError", 0));
  const checks = byName(await runChecks(target, deps()));
  expect(checks["AWS credentials"].status).toBe("fail");
  expect(checks["AWS credentials"].fix).toMatch(
    /s3:\/\/tfstate-trading-platform\/trading\/dev\/<stack>\.tfstate \(region us-east-1\)/,
  );
  expect(checks["AWS credentials"].fix).toMatch(/account 123456789012/);
  expect(checks["AWS credentials"].fix).toMatch(/aws sso login --profile <profile>/);
  expect([checks.account.status, checks["state bucket"].status, checks["stacks with state"].status]).toEqual([
    "skip",
    "skip",
    "skip",
  ]);
});

test("another account than the state bucket's fails with the account to log in to", async () => {
  sts.on(GetCallerIdentityCommand).resolves({ Account: "999999999999", Arn: "arn:aws:sts::999999999999:x" });
  const checks = byName(await runChecks(target, deps()));
  expect(checks.account).toMatchObject({
    status: "fail",
    fix: "log in to account 123456789012 (another AWS_PROFILE)",
  });
});

test("a missing state bucket says how to create it", async () => {
  s3.on(GetBucketLocationCommand).rejects(awsError("NoSuchBucket", 404));
  const checks = byName(await runChecks(target, deps()));
  expect(checks["state bucket"]).toMatchObject({
    status: "fail",
    fix: "create it once per account and blueprint: BLUEPRINT=trading npx cdktf deploy state (or set TF_STATE_BUCKET)",
  });
  expect(checks["stacks with state"].status).toBe("skip");
});

test("a state bucket answering 403 may be someone else's: the fix names TF_STATE_BUCKET and logging in", async () => {
  s3.on(GetBucketLocationCommand).rejects(awsError("AccessDenied", 403));
  const fix = byName(await runChecks(target, deps()))["state bucket"].fix ?? "";
  expect(fix).toMatch(/bucket names are global; this is the blueprint's default name/);
  expect(fix).toContain("TF_STATE_BUCKET=<unique name> BLUEPRINT=trading npx cdktf deploy state");
  expect(fix).toMatch(/if it is yours, log in to the account that owns it/);
});

test("a state object answering 403 (no s3:ListBucket) is unknown, not present", async () => {
  s3.on(HeadObjectCommand, { Key: "trading/dev/platform.tfstate" }).rejects(awsError("Forbidden", 403));
  const check = byName(await runChecks(target, deps()))["stacks with state"];
  expect(check.status).toBe("warn");
  expect(check.detail).toBe(
    "network (2026-12-01 10:00 UTC); no state yet: registry, observability; unknown: platform (Forbidden)",
  );
  expect(check.fix).toMatch(/s3:ListBucket/);
});

test("versioning off, SSE-S3 and a bucket in another region fail with their fix", async () => {
  s3.on(GetBucketLocationCommand).resolves({ LocationConstraint: "eu-west-1" });
  s3.on(GetBucketVersioningCommand).resolves({ Status: "Suspended" });
  s3.on(GetBucketEncryptionCommand).resolves({
    ServerSideEncryptionConfiguration: {
      Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
    },
  });
  const checks = byName(await runChecks(target, deps()));
  expect(checks["state bucket"]).toMatchObject({
    status: "fail",
    fix: expect.stringContaining("TF_STATE_REGION=eu-west-1"),
  });
  expect(checks["bucket versioning"].status).toBe("fail");
  expect(checks["bucket encryption"]).toMatchObject({
    status: "fail",
    detail: "AES256, not SSE-KMS with the state key",
  });
});

test("old Node.js, old or missing Terraform and a missing CLI config file are reported", async () => {
  const old = byName(
    await runChecks(
      target,
      deps({
        nodeVersion: "v18.19.0",
        terraformVersion: async () => JSON.stringify({ terraform_version: "1.9.8" }),
        env: { TF_CLI_CONFIG_FILE: "/nope/.terraformrc" },
        fileExists: () => false,
      }),
    ),
  );
  expect(old["Node.js"].status).toBe("fail");
  expect(old.Terraform).toMatchObject({ status: "fail", fix: "upgrade Terraform to 1.11.0 or newer" });
  expect(old["Terraform CLI config"]).toMatchObject({ status: "warn" });
  const none = byName(await runChecks(target, deps({ terraformVersion: async () => undefined })));
  expect(none.Terraform).toMatchObject({ status: "fail", detail: "terraform is not on PATH" });
});

test("the expected account comes from the state stack's local state file", () => {
  const state = JSON.stringify({
    resources: [{ instances: [{ attributes: { arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/abcd` } }] }],
  });
  expect(
    expectedAccount(target.config, (path) =>
      path === "terraform-state/trading/tfstate-trading-platform.tfstate" ? state : undefined,
    ),
  ).toBe(ACCOUNT);
  expect(expectedAccount(target.config, () => undefined)).toBeUndefined();
});
