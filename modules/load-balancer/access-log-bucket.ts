import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import {
  DataAwsIamPolicyDocument,
  DataAwsIamPolicyDocumentStatementPrincipals,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import type { Naming } from "../naming";

/**
 * Elastic Load Balancing's log-delivery account per Region, for Regions available before
 * August 2022 (ELB user guide, "Enable access logs": step 2 bucket policy). Regions opened since
 * then accept only the `logdelivery.elasticloadbalancing.amazonaws.com` service principal.
 * Kept here rather than read from `aws_elb_service_account` so the policy is decided (and
 * tested) at synth time, and a Region the data source does not know cannot fail a plan.
 */
export const ELB_ACCOUNT_REGIONS: Readonly<Record<string, string>> = {
  "us-east-1": "127311923021",
  "us-east-2": "033677994240",
  "us-west-1": "027434742980",
  "us-west-2": "797873946194",
  "af-south-1": "098369216593",
  "ap-east-1": "754344448648",
  "ap-south-1": "718504428378",
  "ap-northeast-1": "582318560864",
  "ap-northeast-2": "600734575887",
  "ap-northeast-3": "383597477331",
  "ap-southeast-1": "114774131450",
  "ap-southeast-2": "783225319266",
  "ap-southeast-3": "589379963580",
  "ca-central-1": "985666609251",
  "eu-central-1": "054676820928",
  "eu-west-1": "156460612806",
  "eu-west-2": "652711504416",
  "eu-west-3": "009996457667",
  "eu-south-1": "635631232127",
  "eu-north-1": "897822967062",
  "me-south-1": "076674570225",
  "sa-east-1": "507241528517",
  "us-gov-west-1": "048591011584",
  "us-gov-east-1": "190560391635",
  "cn-north-1": "638102146993",
  "cn-northwest-1": "037604701340",
};

/** Service principal ELB writes access logs as in Regions opened since August 2022. */
export const ELB_LOG_DELIVERY_PRINCIPAL = "logdelivery.elasticloadbalancing.amazonaws.com";

export interface AccessLogBucketProps {
  readonly naming: Naming;
  /** Region of the ALB (the bucket is created in the same Region, as ELB requires). */
  readonly region: string;
  /** Days before log objects expire. */
  readonly retentionDays: number;
  /** Empty the bucket on destroy (ephemeral) or refuse to delete it while it holds logs. @default true */
  readonly forceDestroy?: boolean;
}

/**
 * The S3 bucket an ALB writes access logs to: a generated name from the naming module's
 * prefix (bucket names are global), SSE-S3 (the only encryption ELB access logs support —
 * not SSE-KMS), all public access blocked, expiry after the retention period, `force_destroy`
 * so an environment can be destroyed with logs in it, and a policy that lets ELB write under
 * `AWSLogs/<account>/` and denies any request not made over TLS.
 */
export class AccessLogBucket extends Construct {
  readonly bucketName: string;
  readonly bucketArn: string;
  /** The bucket policy: the ALB must depend on it (ELB tests write access when logging is enabled). */
  readonly policy: S3BucketPolicy;
  /** The policy document (statements are checked by tests). */
  readonly policyDocument: DataAwsIamPolicyDocument;

  constructor(scope: Construct, id: string, props: AccessLogBucketProps) {
    super(scope, id);
    const account = new DataAwsCallerIdentity(this, "account");
    const partition = new DataAwsPartition(this, "partition");

    const bucket = new S3Bucket(this, "bucket", {
      // bucket_prefix: Terraform appends a unique suffix, so the 37-character prefix stays global-safe.
      bucketPrefix: props.naming.name("s3BucketPrefix", `${props.naming.blueprint}-alb-logs`),
      forceDestroy: props.forceDestroy ?? true,
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    });
    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: bucket.id,
      rule: [
        {
          id: "expire-access-logs",
          status: "Enabled",
          // ELB writes every object under AWSLogs/; an explicit prefix avoids the provider's
          // "no filter" warning that an empty filter block triggers.
          filter: [{ prefix: "AWSLogs/" }],
          expiration: [{ days: props.retentionDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }],
        },
      ],
    });

    const elbAccount = ELB_ACCOUNT_REGIONS[props.region];
    const writer: DataAwsIamPolicyDocumentStatementPrincipals = elbAccount
      ? { type: "AWS", identifiers: [`arn:${partition.partition}:iam::${elbAccount}:root`] }
      : { type: "Service", identifiers: [ELB_LOG_DELIVERY_PRINCIPAL] };
    this.policyDocument = new DataAwsIamPolicyDocument(this, "policy-document", {
      statement: [
        {
          sid: "ElbAccessLogDelivery",
          principals: [writer],
          actions: ["s3:PutObject"],
          resources: [`${bucket.arn}/AWSLogs/${account.accountId}/*`],
        },
        {
          sid: "DenyInsecureTransport",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["s3:*"],
          resources: [bucket.arn, `${bucket.arn}/*`],
          condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
        },
      ],
    });
    this.policy = new S3BucketPolicy(this, "policy", {
      bucket: bucket.id,
      policy: this.policyDocument.json,
    });
    this.bucketName = bucket.id;
    this.bucketArn = bucket.arn;
  }
}
