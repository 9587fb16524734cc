/**
 * A `scheduled` service: no ECS service, an EventBridge Scheduler schedule that runs the task
 * on Fargate in the private subnets, with retries and a KMS-encrypted dead-letter queue for
 * runs that could not be started. The scheduler's role may run only this task definition family
 * in this cluster and pass only this task's two roles.
 */
import { Construct } from "constructs";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { awsContext, sharedPolicyDocument } from "../stack-shared";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SchedulerScheduleGroup } from "@cdktf/provider-aws/lib/scheduler-schedule-group";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import type { Naming } from "../naming";
import { KMS_DATA_KEY_REUSE_SECONDS, SQS_MAX_RETENTION_SECONDS } from "./work-queue";
import { ValidationError } from "../errors";

/** EventBridge Scheduler limits of a target's retry policy. */
export const SCHEDULER_MAX_RETRIES = 185;
export const SCHEDULER_EVENT_AGE_RANGE = [60, 86400] as const;
/** ECS RunTask takes at most 6 capacity provider strategy items. */
export const MAX_CAPACITY_PROVIDERS = 6;

export interface ScheduledTaskProps {
  readonly naming: Naming;
  /** Service name in the config. */
  readonly serviceName: string;
  /** `rate(...)`, `cron(...)` or `at(...)`, validated by the config schema. */
  readonly scheduleExpression: string;
  /** Retries of a run EventBridge Scheduler could not start (0 to 185). */
  readonly retries: number;
  readonly clusterArn: string;
  /**
   * Task definition the schedule runs. Pass the ARN without revision to always run the latest
   * ACTIVE revision (what the release CLI registers); the role allows every revision either way.
   */
  readonly taskDefinitionArn: string;
  readonly taskDefinitionFamily: string;
  readonly executionRoleArn: string;
  readonly taskRoleArn: string;
  /** Private subnets the task's ENI is placed in (no public IP). */
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  /** Customer-managed key that encrypts the dead-letter queue. */
  readonly kmsKeyArn: string;
  /** Capacity provider strategy of the run; an empty list runs on the FARGATE launch type. */
  readonly capacityProviderStrategy: { provider: string; base: number; weight: number }[];
  /**
   * `ENABLED` or `DISABLED` (a Terraform expression is fine: disabled until the first release,
   * see release-record.ts). @default ENABLED
   */
  readonly state?: string;
  /**
   * Seconds after the scheduled time a run may still be started by retries; a 6-hourly job
   * started hours late is usually worse than a dead-lettered one. @default 3600
   */
  readonly maximumEventAgeSeconds?: number;
}

export class ScheduledTask extends Construct {
  readonly scheduleGroup: SchedulerScheduleGroup;
  readonly schedule: SchedulerSchedule;
  /** Role EventBridge Scheduler assumes to call ecs:RunTask. */
  readonly role: IamRole;
  /** Receives a run EventBridge Scheduler could not start after its retries. */
  readonly deadLetterQueue: SqsQueue;

  constructor(scope: Construct, id: string, props: ScheduledTaskProps) {
    super(scope, id);
    const { naming, serviceName } = props;
    const maximumEventAgeSeconds = props.maximumEventAgeSeconds ?? 3600;
    validate(props, maximumEventAgeSeconds);

    const aws = awsContext(this);

    // EventBridge Scheduler accepts only a standard (not FIFO) queue as a dead-letter queue.
    this.deadLetterQueue = new SqsQueue(this, "dead-letter-queue", {
      name: naming.name("sqsQueue", `${serviceName}-schedule-dlq`),
      messageRetentionSeconds: SQS_MAX_RETENTION_SECONDS,
      kmsMasterKeyId: props.kmsKeyArn,
      kmsDataKeyReusePeriodSeconds: KMS_DATA_KEY_REUSE_SECONDS,
    });

    // The same for every scheduled job of the stack: one data source.
    const trust = sharedPolicyDocument(this, "scheduler-trust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["scheduler.amazonaws.com"] }],
          // Confused-deputy guard: only schedules of this account may assume the role.
          condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [aws.accountId] }],
        },
      ],
    });
    this.role = new IamRole(this, "role", {
      name: naming.name("iamRole", `${serviceName}-scheduler`),
      assumeRolePolicy: trust.json,
    });

    const arn = (service: string, resource: string) =>
      `arn:${aws.partition}:${service}:${aws.region}:${aws.accountId}:${resource}`;
    const taskDefinition = arn("ecs", `task-definition/${props.taskDefinitionFamily}`);
    const permissions = new DataAwsIamPolicyDocument(this, "permissions", {
      statement: [
        {
          sid: "RunThisTaskFamily",
          effect: "Allow",
          actions: ["ecs:RunTask"],
          // Every revision of the family (`:*`), so a revision registered by the release CLI
          // still runs; the revision-less ARN in case the schedule targets the latest revision.
          resources: [taskDefinition, `${taskDefinition}:*`],
          condition: [{ test: "ArnEquals", variable: "ecs:cluster", values: [props.clusterArn] }],
        },
        {
          sid: "TagTasksAtLaunch",
          effect: "Allow",
          // propagate_tags / managed tags on RunTask need ecs:TagResource on the new task; the
          // task ARN is unknown before launch, so it is limited to tagging during RunTask.
          actions: ["ecs:TagResource"],
          resources: [arn("ecs", "task/*")],
          condition: [{ test: "StringEquals", variable: "ecs:CreateAction", values: ["RunTask"] }],
        },
        {
          sid: "PassOnlyThisTasksRoles",
          effect: "Allow",
          actions: ["iam:PassRole"],
          resources: [props.executionRoleArn, props.taskRoleArn],
          condition: [
            { test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] },
          ],
        },
        {
          sid: "DeadLetter",
          effect: "Allow",
          actions: ["sqs:SendMessage"],
          resources: [this.deadLetterQueue.arn],
        },
        {
          sid: "EncryptDeadLetters",
          effect: "Allow",
          // Sending to an SSE-KMS queue needs a data key from the queue's CMK, only through SQS.
          actions: ["kms:GenerateDataKey", "kms:Decrypt"],
          resources: [props.kmsKeyArn],
          condition: [
            {
              test: "StringEquals",
              variable: "kms:ViaService",
              values: [`sqs.${aws.region}.amazonaws.com`],
            },
          ],
        },
      ],
    });
    new IamRolePolicy(this, "policy", {
      name: naming.name("iamPolicy", `${serviceName}-scheduler`),
      role: this.role.id,
      policy: permissions.json,
    });

    this.scheduleGroup = new SchedulerScheduleGroup(this, "group", {
      name: naming.name("scheduleGroup", serviceName),
    });

    const strategy = props.capacityProviderStrategy;
    this.schedule = new SchedulerSchedule(this, "schedule", {
      name: naming.name("schedule", serviceName),
      groupName: this.scheduleGroup.name,
      scheduleExpression: props.scheduleExpression,
      state: props.state ?? "ENABLED",
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        arn: props.clusterArn,
        roleArn: this.role.arn,
        ecsParameters: {
          taskDefinitionArn: props.taskDefinitionArn,
          taskCount: 1,
          // RunTask rejects a launch type together with a capacity provider strategy.
          ...(strategy.length > 0
            ? {
                capacityProviderStrategy: strategy.map((s) => ({
                  capacityProvider: s.provider,
                  base: s.base,
                  weight: s.weight,
                })),
              }
            : { launchType: "FARGATE" }),
          platformVersion: "LATEST",
          networkConfiguration: {
            subnets: props.subnetIds,
            securityGroups: props.securityGroupIds,
            assignPublicIp: false,
          },
          propagateTags: "TASK_DEFINITION",
          enableEcsManagedTags: true,
        },
        retryPolicy: {
          maximumRetryAttempts: props.retries,
          maximumEventAgeInSeconds: maximumEventAgeSeconds,
        },
        deadLetterConfig: { arn: this.deadLetterQueue.arn },
      },
    });
  }
}

function validate(props: ScheduledTaskProps, maximumEventAgeSeconds: number): void {
  const at = `services.${props.serviceName}`;
  if (!Number.isInteger(props.retries) || props.retries < 0 || props.retries > SCHEDULER_MAX_RETRIES) {
    throw new ValidationError(
      `${at}.scheduleRetries: ${props.retries} is outside 0..${SCHEDULER_MAX_RETRIES} (EventBridge Scheduler retry limit)`,
    );
  }
  const [minAge, maxAge] = SCHEDULER_EVENT_AGE_RANGE;
  if (
    !Number.isInteger(maximumEventAgeSeconds) ||
    maximumEventAgeSeconds < minAge ||
    maximumEventAgeSeconds > maxAge
  ) {
    throw new ValidationError(
      `${at}: maximum event age ${maximumEventAgeSeconds} s is outside ${minAge}..${maxAge} (EventBridge Scheduler limit)`,
    );
  }
  if (props.capacityProviderStrategy.length > MAX_CAPACITY_PROVIDERS) {
    throw new ValidationError(
      `${at}: ${props.capacityProviderStrategy.length} capacity providers; a RunTask strategy takes at most ${MAX_CAPACITY_PROVIDERS}`,
    );
  }
  if (props.subnetIds.length === 0) {
    throw new ValidationError(`${at}: a Fargate task needs at least one subnet (awsvpc network mode)`);
  }
}
