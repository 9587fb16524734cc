import { Construct } from "constructs";
import {
  DataAwsIamPolicyDocument,
  DataAwsIamPolicyDocumentStatement,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { ServiceConfig } from "../../config/schema";
import type { Naming } from "../naming";
import { identityPolicyJson } from "../iam-policy-json";
import { sharedPolicyDocument } from "../stack-shared";

/** Where the service's ARNs live; every ARN below is built from a name and these. */
export interface ArnContext {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** A Secrets Manager secret the execution role may read, and the CMK that encrypts it. */
export interface SecretGrant {
  readonly arn: string;
  /** Customer-managed key of the secret; absent when it uses the AWS-managed key. */
  readonly kmsKeyArn?: string;
}

export interface ServiceRolesProps {
  readonly naming: Naming;
  readonly serviceName: string;
  readonly arns: ArnContext;
  /** ECR repository the task pulls its image from (name, not URL). */
  readonly repositoryName: string;
  /** The service's own log group name (the app container's). */
  readonly logGroupName: string;
  /** Log group of the sidecars and the Service Connect proxy. @default none */
  readonly sidecarLogGroupName?: string;
  /** Exactly the secrets the task definition injects. */
  readonly secrets: SecretGrant[];
  /**
   * Secrets the task role (the application at run time) may read as well: GetSecretValue on
   * exactly these ARNs and kms:Decrypt on their customer-managed keys. @default none
   */
  readonly taskRoleSecrets?: SecretGrant[];
  /** `rds-db:connect` ARN of the service's own database user (IAM authentication). @default none */
  readonly databaseConnectArn?: string;
  /** S3 buckets, SQS queues and DynamoDB tables the service's config names. */
  readonly access: ServiceConfig["access"];
  /** Queues of the workers this service calls: it may send to them. @default none */
  readonly sendQueues?: { readonly arns: string[]; readonly kmsKeyArn: string };
  /** The worker's own queue, consumed by the task. @default none */
  readonly ownQueue?: { readonly arn: string; readonly kmsKeyArn: string };
  /**
   * Log group (created by the platform) the ADOT collector writes EMF metrics to: the task role
   * may write streams there, and create no log group. @default none
   */
  readonly metricsLogGroupName?: string;
  /**
   * Namespace of the service's custom scaling metric: the app may PutMetricData into exactly
   * this namespace (`cloudwatch:namespace` condition). @default none
   */
  readonly customMetricNamespace?: string;
  /** ECS Exec (ssmmessages) for the task role. @default false */
  readonly enableExecuteCommand?: boolean;
}

const arn = (c: ArnContext, service: string, resource: string, global = false) =>
  `arn:${c.partition}:${service}:${global ? "" : c.region}:${global ? "" : c.accountId}:${resource}`;

/** ARN of a log group's streams (`logs:PutLogEvents` is authorised on log-stream resources). */
export const logGroupStreamsArn = (c: ArnContext, logGroupName: string) =>
  `${arn(c, "logs", `log-group:${logGroupName}`)}:*`;

/**
 * The two roles of one service: the execution role ECS uses to start the task (image pull,
 * logs, secrets) and the task role the application runs with (X-Ray and exactly the data
 * stores its config names). Each role gets one inline policy, resource-scoped.
 */
export class ServiceRoles extends Construct {
  readonly executionRole: IamRole;
  readonly taskRole: IamRole;
  /** Statements of each role's policy, for callers that inspect them. */
  readonly executionStatements: DataAwsIamPolicyDocumentStatement[];
  readonly taskStatements: DataAwsIamPolicyDocumentStatement[];

  constructor(scope: Construct, id: string, props: ServiceRolesProps) {
    super(scope, id);
    const { naming, serviceName: name, arns: c } = props;

    const trust = ecsTasksTrust(this, c.accountId);

    this.executionStatements = executionStatements(props);
    this.taskStatements = taskStatements(props);

    this.executionRole = this.role("execution", naming.name("iamRole", `${name}-exec`), trust, [
      naming.name("iamPolicy", `${name}-exec`),
      this.executionStatements,
    ]);
    this.taskRole = this.role("task", naming.name("iamRole", `${name}-task`), trust, [
      naming.name("iamPolicy", `${name}-task`),
      this.taskStatements,
    ]);
  }

  private role(
    id: string,
    name: string,
    trust: DataAwsIamPolicyDocument,
    [policyName, statements]: [string, DataAwsIamPolicyDocumentStatement[]],
  ): IamRole {
    const role = new IamRole(this, `${id}-role`, { name, assumeRolePolicy: trust.json });
    new IamRolePolicy(this, `${id}-policy`, {
      name: policyName,
      role: role.id,
      policy: identityPolicyJson(statements),
    });
    return role;
  }
}

/**
 * The trust policy of task and execution roles: ECS tasks of this account only
 * (aws:SourceAccount stops another account's ECS from assuming the role: confused deputy).
 * The same for every role of the stack: one data source.
 */
export function ecsTasksTrust(scope: Construct, accountId: string): DataAwsIamPolicyDocument {
  return sharedPolicyDocument(scope, "ecs-tasks-trust", {
    statement: [
      {
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] }],
      },
    ],
  });
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/** GetSecretValue on exactly the secrets, kms:Decrypt (through Secrets Manager) on their CMKs. */
function secretStatements(
  c: ArnContext,
  secrets: SecretGrant[],
  sids: { read: string; decrypt: string },
): DataAwsIamPolicyDocumentStatement[] {
  const statements: DataAwsIamPolicyDocumentStatement[] = [];
  const secretArns = unique(secrets.map((s) => s.arn));
  if (secretArns.length > 0) {
    statements.push({ sid: sids.read, actions: ["secretsmanager:GetSecretValue"], resources: secretArns });
  }
  const keyArns = unique(secrets.flatMap((s) => (s.kmsKeyArn ? [s.kmsKeyArn] : [])));
  if (keyArns.length > 0) {
    statements.push({
      sid: sids.decrypt,
      actions: ["kms:Decrypt"],
      resources: keyArns,
      // Only through Secrets Manager: the role cannot use the key for anything else.
      condition: [
        {
          test: "StringEquals",
          variable: "kms:ViaService",
          values: [`secretsmanager.${c.region}.amazonaws.com`],
        },
      ],
    });
  }
  return statements;
}

/** kms actions on the CMKs of external buckets or tables, only through that service. */
function externalKeyStatement(
  c: ArnContext,
  sid: string,
  service: "s3" | "dynamodb",
  items: readonly { readonly write: boolean; readonly kmsKeyArn?: string }[],
): DataAwsIamPolicyDocumentStatement[] {
  const keys = unique(items.flatMap((i) => (i.kmsKeyArn ? [i.kmsKeyArn] : [])));
  if (keys.length === 0) return [];
  // Reading SSE-KMS data needs Decrypt; writing it generates a data key under the same CMK.
  const write = items.some((i) => i.kmsKeyArn && i.write);
  return [
    {
      sid,
      actions: write ? ["kms:Decrypt", "kms:GenerateDataKey"] : ["kms:Decrypt"],
      resources: keys,
      condition: [
        {
          test: "StringEquals",
          variable: "kms:ViaService",
          values: [`${service}.${c.region}.amazonaws.com`],
        },
      ],
    },
  ];
}

function executionStatements(p: ServiceRolesProps): DataAwsIamPolicyDocumentStatement[] {
  const c = p.arns;
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    {
      sid: "PullOwnImage",
      actions: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
      resources: [arn(c, "ecr", `repository/${p.repositoryName}`)],
    },
    {
      // ecr:GetAuthorizationToken has no resource-level permissions: AWS accepts only "*".
      sid: "EcrLogin",
      actions: ["ecr:GetAuthorizationToken"],
      resources: ["*"],
    },
    {
      sid: "WriteOwnLogs",
      actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
      resources: [p.logGroupName, ...(p.sidecarLogGroupName ? [p.sidecarLogGroupName] : [])].map((g) =>
        logGroupStreamsArn(c, g),
      ),
    },
  ];
  statements.push(
    ...secretStatements(c, p.secrets, { read: "ReadOwnSecrets", decrypt: "DecryptOwnSecrets" }),
  );
  return statements;
}

function taskStatements(p: ServiceRolesProps): DataAwsIamPolicyDocumentStatement[] {
  const c = p.arns;
  const { s3Buckets, sqsQueues, dynamodbTables } = p.access;
  const statements: DataAwsIamPolicyDocumentStatement[] = [
    {
      // X-Ray trace and sampling APIs have no resource-level permissions: AWS accepts only "*".
      sid: "XRayWrite",
      actions: [
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:GetSamplingStatisticSummaries",
      ],
      resources: ["*"],
    },
  ];

  const bucketArns = (write: boolean) =>
    s3Buckets.filter((b) => b.write === write).map((b) => arn(c, "s3", b.name, true));
  for (const [write, sid] of [
    [false, "S3Read"],
    [true, "S3ReadWrite"],
  ] as const) {
    const buckets = bucketArns(write);
    if (buckets.length === 0) continue;
    statements.push({ sid: `${sid}Buckets`, actions: ["s3:ListBucket"], resources: buckets });
    statements.push({
      sid: `${sid}Objects`,
      actions: write ? ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] : ["s3:GetObject"],
      resources: buckets.map((b) => `${b}/*`),
    });
  }

  const sendQueues = sqsQueues.filter((q) => q.send).map((q) => arn(c, "sqs", q.name));
  if (sendQueues.length > 0) {
    statements.push({
      sid: "SqsSend",
      actions: ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
      resources: sendQueues,
    });
  }
  const consumeQueues = sqsQueues.filter((q) => q.consume).map((q) => arn(c, "sqs", q.name));
  const consumeActions = [
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
  ];
  if (consumeQueues.length > 0) {
    statements.push({ sid: "SqsConsume", actions: consumeActions, resources: consumeQueues });
  }

  for (const [write, sid] of [
    [false, "DynamoDbRead"],
    [true, "DynamoDbReadWrite"],
  ] as const) {
    const tables = dynamodbTables
      .filter((t) => t.write === write)
      .map((t) => arn(c, "dynamodb", `table/${t.name}`));
    if (tables.length === 0) continue;
    const read = [
      "dynamodb:GetItem",
      "dynamodb:BatchGetItem",
      "dynamodb:Query",
      "dynamodb:Scan",
      "dynamodb:DescribeTable",
      "dynamodb:ConditionCheckItem",
    ];
    const writeActions = [
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:BatchWriteItem",
    ];
    statements.push({
      sid,
      actions: write ? [...read, ...writeActions] : read,
      // Queries on secondary indexes are authorised on the index ARNs.
      resources: tables.flatMap((t) => [t, `${t}/index/*`]),
    });
  }

  if (p.sendQueues && p.sendQueues.arns.length > 0) {
    statements.push({
      sid: "SendToWorkerQueues",
      actions: ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
      resources: p.sendQueues.arns,
    });
    // Sending to an SSE-KMS queue generates a data key under the queue's CMK.
    statements.push({
      sid: "EncryptForWorkerQueues",
      actions: ["kms:GenerateDataKey", "kms:Decrypt"],
      resources: [p.sendQueues.kmsKeyArn],
      condition: [
        { test: "StringEquals", variable: "kms:ViaService", values: [`sqs.${c.region}.amazonaws.com`] },
      ],
    });
  }

  if (p.ownQueue) {
    statements.push({ sid: "ConsumeOwnQueue", actions: consumeActions, resources: [p.ownQueue.arn] });
    // An SSE-KMS queue hands out messages only to callers that may decrypt with its key.
    statements.push({
      sid: "DecryptOwnQueue",
      actions: ["kms:Decrypt"],
      resources: [p.ownQueue.kmsKeyArn],
      condition: [
        { test: "StringEquals", variable: "kms:ViaService", values: [`sqs.${c.region}.amazonaws.com`] },
      ],
    });
  }

  statements.push(...externalKeyStatement(c, "S3BucketKeys", "s3", s3Buckets));
  statements.push(...externalKeyStatement(c, "DynamoDbTableKeys", "dynamodb", dynamodbTables));

  if (p.taskRoleSecrets) {
    statements.push(
      ...secretStatements(c, p.taskRoleSecrets, {
        read: "AppReadsOwnSecrets",
        decrypt: "AppDecryptsOwnSecrets",
      }),
    );
  }

  if (p.databaseConnectArn) {
    // IAM database authentication as the service's own user, and no other.
    statements.push({
      sid: "ConnectAsOwnDatabaseUser",
      actions: ["rds-db:connect"],
      resources: [p.databaseConnectArn],
    });
  }

  if (p.metricsLogGroupName) {
    // No logs:CreateLogGroup: the platform creates the group with its KMS key and retention, and
    // a group created at run time would have neither and outlive the environment.
    statements.push({
      sid: "WriteEmfMetrics",
      actions: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
      resources: [logGroupStreamsArn(c, p.metricsLogGroupName)],
    });
  }

  if (p.customMetricNamespace) {
    statements.push({
      // PutMetricData has no resource-level permissions: AWS accepts only "*"; the
      // cloudwatch:namespace condition key limits it to the one namespace (IAM service
      // authorization reference, "Actions, resources, and condition keys for Amazon CloudWatch").
      sid: "PublishOwnScalingMetric",
      actions: ["cloudwatch:PutMetricData"],
      resources: ["*"],
      condition: [
        { test: "StringEquals", variable: "cloudwatch:namespace", values: [p.customMetricNamespace] },
      ],
    });
  }

  if (p.enableExecuteCommand) {
    statements.push({
      // Session Manager data channels have no resource-level permissions: AWS accepts only "*".
      sid: "EcsExec",
      actions: [
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
      ],
      resources: ["*"],
    });
  }
  return statements;
}
