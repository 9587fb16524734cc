import { Construct } from "constructs";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import {
  DataAwsIamPolicyDocument,
  DataAwsIamPolicyDocumentStatementCondition,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import type { Naming } from "../naming";
import {
  KMS_MIN_DELETION_WINDOW_DAYS,
  lifecyclePolicy,
  LifecyclePolicy,
  statefulLifecycle,
} from "../lifecycle";

/** The shortest pending-deletion window KMS allows: a destroyed environment releases its key soonest. */
export const KMS_DELETION_WINDOW_DAYS = KMS_MIN_DELETION_WINDOW_DAYS;

export interface PlatformKmsKeyProps {
  readonly naming: Naming;
  /** Region of the stack (`config.region`); the CloudWatch Logs principal and ARNs are regional. */
  readonly region: string;
  /** What the key is for (key description). @default "Platform key: logs, queues, secrets, database" */
  readonly description?: string;
  /** Subject of the alias name (a stack holding several keys needs distinct ones). @default the blueprint */
  readonly aliasSubject?: string;
  /**
   * The key policy lets CloudWatch Logs encrypt this account's log groups with the key. Off for
   * a key no log group uses (no statement for a principal that never uses the key). @default true
   */
  readonly cloudWatchLogs?: boolean;
  /** What a destroy may take (modules/lifecycle). @default ephemeral */
  readonly lifecycle?: LifecyclePolicy;
}

/**
 * The platform's customer-managed KMS key, with yearly rotation and an alias from the naming
 * module. Its key policy:
 * - gives the account root full access, which delegates use of the key to IAM policies: the
 *   per-service roles then get exactly `kms:Decrypt`/`kms:GenerateDataKey` on this key ARN
 *   (scoped further with {@link PlatformKmsKey.viaService}) — Secrets Manager, SQS, SNS and
 *   RDS all call KMS with the caller's credentials, so no account-wide service grant is needed;
 * - lets CloudWatch Logs use it, only for this account's log groups in this region (the
 *   `kms:EncryptionContext:aws:logs:arn` condition AWS documents for log group encryption);
 * No statement for CloudWatch alarms: the alarm topic has its own key (modules/alarms).
 */
export class PlatformKmsKey extends Construct {
  readonly keyArn: string;
  readonly keyId: string;
  /** `alias/...` name of the key. */
  readonly aliasName: string;
  /** The key policy document (exposed so tests and reviewers can read the statements). */
  readonly policy: DataAwsIamPolicyDocument;

  private readonly region: string;
  private readonly partition: DataAwsPartition;

  constructor(scope: Construct, id: string, props: PlatformKmsKeyProps) {
    super(scope, id);
    this.region = props.region;
    const account = new DataAwsCallerIdentity(this, "account");
    this.partition = new DataAwsPartition(this, "partition");
    const arnHead = `arn:${this.partition.partition}`;
    const accountId = account.accountId;

    const logs = props.cloudWatchLogs ?? true;
    // In a key policy, Resource "*" means "this key": a key policy cannot name its own ARN.
    this.policy = new DataAwsIamPolicyDocument(this, "policy", {
      statement: [
        {
          sid: "AccountRootFullAccess",
          principals: [{ type: "AWS", identifiers: [`${arnHead}:iam::${accountId}:root`] }],
          actions: ["kms:*"],
          resources: ["*"],
        },
        ...(logs
          ? [
              {
                sid: "CloudWatchLogsOfThisAccount",
                principals: [
                  { type: "Service", identifiers: [`logs.${props.region}.${this.partition.dnsSuffix}`] },
                ],
                actions: [
                  "kms:Encrypt*",
                  "kms:Decrypt*",
                  "kms:ReEncrypt*",
                  "kms:GenerateDataKey*",
                  "kms:Describe*",
                ],
                resources: ["*"],
                condition: [
                  {
                    test: "ArnLike",
                    variable: "kms:EncryptionContext:aws:logs:arn",
                    values: [`${arnHead}:logs:${props.region}:${accountId}:log-group:*`],
                  },
                ],
              },
            ]
          : []),
      ],
    });

    const key = new KmsKey(this, "key", {
      description: props.description ?? "Platform key: logs, queues, secrets, database",
      enableKeyRotation: true,
      deletionWindowInDays: (props.lifecycle ?? lifecyclePolicy()).kmsDeletionWindowDays,
      policy: this.policy.json,
      // A scheduled key deletion makes everything it encrypts unreadable (database, secrets, logs).
      lifecycle: statefulLifecycle(props.lifecycle ?? lifecyclePolicy()),
    });
    this.aliasName = props.naming.name("kmsAlias", props.aliasSubject);
    new KmsAlias(this, "alias", { name: this.aliasName, targetKeyId: key.keyId });
    this.keyArn = key.arn;
    this.keyId = key.keyId;
  }

  /**
   * IAM condition limiting a statement on this key to calls made through one AWS service
   * (`secretsmanager`, `sqs`, `sns`, `rds`, `logs`...), for the roles that use the key.
   */
  viaService(service: string): DataAwsIamPolicyDocumentStatementCondition {
    return {
      test: "StringEquals",
      variable: "kms:ViaService",
      values: [`${service}.${this.region}.${this.partition.dnsSuffix}`],
    };
  }
}
