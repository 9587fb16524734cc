import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { ScheduledTask, ScheduledTaskProps } from "../../../modules/fargate-service/scheduled-task";
import { Naming } from "../../../modules/naming";
import type { Json } from "../../support/synth";

const ACCOUNT = "111122223333";
const CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/ecs-cluster-fraud-test`;
const TASK_DEF = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/task-fraud-report-test:3`;
const EXEC_ROLE = `arn:aws:iam::${ACCOUNT}:role/role-fraud-report-exec-test`;
const TASK_ROLE = `arn:aws:iam::${ACCOUNT}:role/role-fraud-report-task-test`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function props(overrides: Partial<ScheduledTaskProps> = {}): ScheduledTaskProps {
  return {
    naming: new Naming("fraud", "test"),
    serviceName: "report",
    scheduleExpression: "rate(6 hours)",
    retries: 2,
    clusterArn: CLUSTER,
    taskDefinitionArn: TASK_DEF,
    taskDefinitionFamily: "task-fraud-report-test",
    executionRoleArn: EXEC_ROLE,
    taskRoleArn: TASK_ROLE,
    subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
    securityGroupIds: ["sg-report"],
    kmsKeyArn: KEY,
    capacityProviderStrategy: [
      { provider: "FARGATE", base: 1, weight: 1 },
      { provider: "FARGATE_SPOT", base: 0, weight: 3 },
    ],
    ...overrides,
  };
}

const synth = (p: ScheduledTaskProps): Json =>
  JSON.parse(Testing.synthScope((scope) => new ScheduledTask(scope, "job", p)));

const only = (out: Json, kind: "resource" | "data", type: string): [string, Json] => {
  const entries = Object.entries(out[kind][type] ?? {});
  if (entries.length !== 1) throw new Error(`expected one ${type}, found ${entries.length}`);
  return entries[0] as [string, Json];
};

describe("ScheduledTask", () => {
  const out = synth(props());
  const [, schedule] = only(out, "resource", "aws_scheduler_schedule");
  const [groupId, group] = only(out, "resource", "aws_scheduler_schedule_group");
  const [roleId, role] = only(out, "resource", "aws_iam_role");
  const [dlqId, dlq] = only(out, "resource", "aws_sqs_queue");
  const [, rolePolicy] = only(out, "resource", "aws_iam_role_policy");
  const docs: Record<string, Json> = out.data.aws_iam_policy_document;
  const docIdOf = (ref: string) => /data\.aws_iam_policy_document\.([^.]+)\.json/.exec(ref)![1];
  const trust = docs[docIdOf(role.assume_role_policy)];
  const permissions = docs[docIdOf(rolePolicy.policy)];
  const statement = (sid: string): Json => permissions.statement.find((s: Json) => s.sid === sid);
  const accountRef = `\${data.aws_caller_identity.${only(out, "data", "aws_caller_identity")[0]}.account_id}`;
  const partitionRef = `\${data.aws_partition.${only(out, "data", "aws_partition")[0]}.partition}`;
  const regionRef = `\${data.aws_region.${only(out, "data", "aws_region")[0]}.region}`;
  const dlqArn = `\${aws_sqs_queue.${dlqId}.arn}`;

  test("schedule lives in its own group, both named by the naming module", () => {
    expect(group.name).toBe("schedules-fraud-report-test");
    expect(schedule.name).toBe("schedule-report-test");
    expect(schedule.group_name).toBe(`\${aws_scheduler_schedule_group.${groupId}.name}`);
  });

  test("schedule runs at the configured expression without a flexible window", () => {
    expect(schedule.schedule_expression).toBe("rate(6 hours)");
    expect(schedule.flexible_time_window).toEqual({ mode: "OFF" });
  });

  test("schedule targets the cluster with the scheduler role", () => {
    expect(schedule.target.arn).toBe(CLUSTER);
    expect(schedule.target.role_arn).toBe(`\${aws_iam_role.${roleId}.arn}`);
  });

  test("schedule runs one task of the task definition on the latest Fargate platform", () => {
    expect(schedule.target.ecs_parameters).toMatchObject({
      task_definition_arn: TASK_DEF,
      task_count: 1,
      platform_version: "LATEST",
    });
  });

  test("schedule runs the task in the private subnets without a public IP", () => {
    expect(schedule.target.ecs_parameters.network_configuration).toEqual({
      subnets: ["subnet-a", "subnet-b", "subnet-c"],
      security_groups: ["sg-report"],
      assign_public_ip: false,
    });
  });

  test("schedule uses the capacity provider strategy and no launch type", () => {
    const ecs = schedule.target.ecs_parameters;
    expect(ecs.capacity_provider_strategy).toEqual([
      { capacity_provider: "FARGATE", base: 1, weight: 1 },
      { capacity_provider: "FARGATE_SPOT", base: 0, weight: 3 },
    ]);
    expect(ecs.launch_type).toBeUndefined();
  });

  test("schedule propagates the task definition's tags to the task", () => {
    expect(schedule.target.ecs_parameters).toMatchObject({
      propagate_tags: "TASK_DEFINITION",
      enable_ecs_managed_tags: true,
    });
  });

  test("schedule retries the configured number of times within an hour", () => {
    expect(schedule.target.retry_policy).toEqual({
      maximum_retry_attempts: 2,
      maximum_event_age_in_seconds: 3600,
    });
  });

  test("failed runs go to the schedule's own KMS-encrypted dead-letter queue", () => {
    expect(schedule.target.dead_letter_config).toEqual({ arn: dlqArn });
    expect(dlq).toMatchObject({
      name: "sqs-fraud-report-schedule-dlq-test",
      kms_master_key_id: KEY,
      kms_data_key_reuse_period_seconds: 300,
      message_retention_seconds: 1209600,
    });
  });

  test("scheduler role is assumable only by EventBridge Scheduler of this account", () => {
    expect(role.name).toBe("role-fraud-report-scheduler-test");
    expect(trust.statement).toEqual([
      {
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["scheduler.amazonaws.com"] }],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountRef] }],
      },
    ]);
  });

  test("scheduler policy is attached to the scheduler role", () => {
    expect(rolePolicy.role).toBe(`\${aws_iam_role.${roleId}.id}`);
    expect(rolePolicy.name).toBe("policy-fraud-report-scheduler-test");
  });

  test("scheduler role may run every revision of exactly its task family, only in its cluster", () => {
    const family = `arn:${partitionRef}:ecs:${regionRef}:${accountRef}:task-definition/task-fraud-report-test`;
    expect(statement("RunThisTaskFamily")).toEqual({
      sid: "RunThisTaskFamily",
      effect: "Allow",
      actions: ["ecs:RunTask"],
      resources: [family, `${family}:*`],
      condition: [{ test: "ArnEquals", variable: "ecs:cluster", values: [CLUSTER] }],
    });
  });

  test("scheduler role can pass only its task's execution and task roles, only to ECS tasks", () => {
    const passRole = permissions.statement.filter((s: Json) => s.actions.includes("iam:PassRole"));
    expect(passRole).toEqual([
      {
        sid: "PassOnlyThisTasksRoles",
        effect: "Allow",
        actions: ["iam:PassRole"],
        resources: [EXEC_ROLE, TASK_ROLE],
        condition: [
          { test: "StringEquals", variable: "iam:PassedToService", values: ["ecs-tasks.amazonaws.com"] },
        ],
      },
    ]);
  });

  test("scheduler role may tag tasks only while launching them", () => {
    expect(statement("TagTasksAtLaunch")).toMatchObject({
      actions: ["ecs:TagResource"],
      resources: [`arn:${partitionRef}:ecs:${regionRef}:${accountRef}:task/*`],
      condition: [{ test: "StringEquals", variable: "ecs:CreateAction", values: ["RunTask"] }],
    });
  });

  test("scheduler role may send to its dead-letter queue and use the CMK only through SQS", () => {
    expect(statement("DeadLetter")).toMatchObject({ actions: ["sqs:SendMessage"], resources: [dlqArn] });
    expect(statement("EncryptDeadLetters")).toMatchObject({
      actions: ["kms:GenerateDataKey", "kms:Decrypt"],
      resources: [KEY],
      condition: [
        { test: "StringEquals", variable: "kms:ViaService", values: [`sqs.${regionRef}.amazonaws.com`] },
      ],
    });
  });

  test("no scheduler permission is on a wildcard resource", () => {
    for (const s of permissions.statement) expect(s.resources).not.toContain("*");
  });
});

describe("ScheduledTask options", () => {
  test("runs on the FARGATE launch type when no capacity provider strategy is given", () => {
    const out = synth(props({ capacityProviderStrategy: [] }));
    const ecs = (Object.values(out.resource.aws_scheduler_schedule)[0] as Json).target.ecs_parameters;
    expect(ecs.launch_type).toBe("FARGATE");
    expect(ecs.capacity_provider_strategy).toBeUndefined();
  });

  test("uses a configured maximum event age", () => {
    const out = synth(props({ maximumEventAgeSeconds: 600 }));
    const target = (Object.values(out.resource.aws_scheduler_schedule)[0] as Json).target;
    expect(target.retry_policy.maximum_event_age_in_seconds).toBe(600);
  });

  test("fails when retries exceed the Scheduler limit of 185", () => {
    expect(() => synth(props({ retries: 186 }))).toThrow(
      /services\.report\.scheduleRetries: 186 is outside 0\.\.185/,
    );
  });

  test("fails when the maximum event age is outside 60..86400 seconds", () => {
    expect(() => synth(props({ maximumEventAgeSeconds: 59 }))).toThrow(
      /maximum event age 59 s is outside 60\.\.86400/,
    );
  });

  test("fails when the strategy has more than 6 capacity providers", () => {
    const many = Array.from({ length: 7 }, () => ({ provider: "FARGATE", base: 0, weight: 1 }));
    expect(() => synth(props({ capacityProviderStrategy: many }))).toThrow(
      /7 capacity providers; .* at most 6/,
    );
  });

  test("fails when no subnet is given", () => {
    expect(() => synth(props({ subnetIds: [] }))).toThrow(/needs at least one subnet/);
  });
});
