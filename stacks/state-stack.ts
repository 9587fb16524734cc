import { relative, resolve } from "node:path";
import { App, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { stateKmsAliasName } from "../modules/naming";
import type { PlatformConfig } from "../config";
import { platformTags } from "./base";

export const STATE_STACK_ID = "state";

/** Where the state stack's own state is kept, relative to the repository (named in the README). */
export function stateStackStateFile(config: PlatformConfig): string {
  return `terraform-state/${config.name}/${config.state.bucket}.tfstate`;
}

/**
 * Why a command that creates or deletes infrastructure refuses the blueprint-only state bucket
 * default (`tfstate-<blueprint>-platform`, a guess in S3's global namespace), and what to set.
 */
export function ambiguousStateBucketMessage(config: PlatformConfig): string {
  return `TF_STATE_BUCKET: not set, and ${config.name} names no account.id: the default ${config.state.bucket} is a guess in S3's global namespace (another account may own it, and every account of this blueprint would share it). Set TF_STATE_BUCKET (the same for every command of this environment), or account.id in the blueprint (the default is then tfstate-<account-id>-<region>-${config.name}).`;
}

/**
 * Bootstrap stack: the S3 bucket that holds every other stack's state. It keeps its own state
 * locally (it cannot live in the bucket it creates), is deployed once per blueprint and
 * account, and is never destroyed by `npm run destroy`.
 *
 * The local state lives outside the build output, in `terraform-state/<blueprint>/<bucket>.tfstate`
 * of the repository (Terraform resolves the path from the stack's working directory,
 * `cdktf.out/stacks/state`), so `rm -rf cdktf.out` does not lose the only record of the bucket.
 * Keyed by bucket name: changing TF_STATE_BUCKET starts a new state for a new bucket and never
 * plans to replace or destroy the bucket an earlier state holds. `prevent_destroy` makes
 * Terraform refuse any plan that would delete the bucket.
 */
export class StateStack extends TerraformStack {
  readonly bucket: S3Bucket;
  readonly kmsKey: KmsKey;

  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, STATE_STACK_ID);
    // Terraform resolves the path from the stack's directory under the output directory; relative
    // to it, so the file stays in the repository whatever --output (CDKTF_OUTDIR) the synth used
    // (with the default cdktf.out: ../../../terraform-state/...).
    const stackDirectory = resolve(App.of(this).outdir, "stacks", STATE_STACK_ID);
    new LocalBackend(this, { path: relative(stackDirectory, resolve(stateStackStateFile(config))) });
    // The ambient credentials, as for every stack's S3 backend that reads and writes this bucket
    // (never the environment's role: the bucket is shared by every environment of the blueprint,
    // and may live in a tooling account). A bucket named after an account
    // (tfstate-<account>-<region>-<blueprint>) is pinned to that account.
    new AwsProvider(this, "aws", {
      region: config.state.region,
      defaultTags: [{ tags: platformTags(config, STATE_STACK_ID) }],
      allowedAccountIds:
        config.state.bucketSource === "account" && config.account ? [config.account.id] : undefined,
    });

    // State must outlive environments: no force_destroy, and the bucket is shared by all suffixes.
    this.bucket = new S3Bucket(this, "bucket", {
      bucket: config.state.bucket,
      forceDestroy: false,
      lifecycle: {
        preventDestroy: true,
        // `cdktf synth` works on a clean clone with the blueprint-only default; creating a bucket
        // under that guessed global name does not (an ambiguous default is an error).
        precondition:
          config.state.bucketSource === "blueprint-default"
            ? [{ condition: false, errorMessage: ambiguousStateBucketMessage(config) }]
            : undefined,
      },
    });
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketVersioningA(this, "versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    // The state's own customer-managed key: every stack's S3 backend names it (kms_key_id), so a
    // backend never writes SSE-S3 objects over this default. Without a key policy, KMS applies its
    // default one (the account root, i.e. IAM policies, decide who may use it). Losing the key
    // loses every state: it is never destroyed by Terraform.
    this.kmsKey = new KmsKey(this, "state-key", {
      description: `Terraform state in s3://${config.state.bucket}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      lifecycle: { preventDestroy: true },
    });
    new KmsAlias(this, "state-key-alias", {
      name: stateKmsAliasName(config.state.bucket),
      targetKeyId: this.kmsKey.keyId,
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.kmsKey.arn },
          bucketKeyEnabled: true,
        },
      ],
    });
    // Every write of a state (and every lock file removed) leaves a noncurrent version or a delete
    // marker behind; keep them long enough to restore a state, not forever.
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-noncurrent-state-versions",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays: config.state.noncurrentVersionDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
        {
          // A marker with no version left under it; cannot share a rule with other expirations.
          id: "remove-expired-delete-markers",
          status: "Enabled",
          filter: [{ prefix: "" }],
          expiration: [{ expiredObjectDeleteMarker: true }],
        },
      ],
    });
    const publicAccess = new S3BucketPublicAccessBlock(this, "public-access", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const tlsOnly = new DataAwsIamPolicyDocument(this, "tls-only", {
      statement: [
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["s3:*"],
          resources: [this.bucket.arn, `${this.bucket.arn}/*`],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    });
    new S3BucketPolicy(this, "policy", {
      bucket: this.bucket.id,
      policy: tlsOnly.json,
      dependsOn: [publicAccess],
    });
    new TerraformOutput(this, "state_bucket", {
      value: this.bucket.bucket,
      description: "Terraform state bucket",
    });
    // IAM policies name a KMS key by its ARN: an alias ARN in `Resource` grants nothing.
    new TerraformOutput(this, "state_key_arn", {
      value: this.kmsKey.arn,
      description:
        "KMS key of the state bucket: grant kms:Decrypt (and kms:GenerateDataKey to writers) on this ARN",
    });
  }
}
