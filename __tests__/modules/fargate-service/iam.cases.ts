import "cdktf/lib/testing/adapters/jest";
import { ServiceSchema } from "../../../config/schema";
import { ServiceRoles, ServiceRolesProps } from "../../../modules/fargate-service/iam";
import { Naming } from "../../../modules/naming";
import { all, Json, ref, statements, synthScope } from "../synth-scope";
import { policyJsonStatements } from "../../support/find";

const ACCOUNT = "111122223333";
const ARNS = { partition: "aws", region: "eu-west-1", accountId: ACCOUNT };
const SECRET_KEY = "arn:aws:kms:eu-west-1:111122223333:key/secrets";
const QUEUE_KEY = "arn:aws:kms:eu-west-1:111122223333:key/queues";

const access = ServiceSchema.parse({
  kind: "backend",
  cpu: 256,
  memory: 512,
  access: {
    s3Buckets: [{ name: "reports-bucket" }, { name: "uploads-bucket", write: true }],
    sqsQueues: [{ name: "orders" }, { name: "events", send: false, consume: true }],
    dynamodbTables: [{ name: "prices" }, { name: "positions", write: true }],
  },
}).access;

function synth(extra: Partial<ServiceRolesProps> = {}): Json {
  return synthScope(
    (scope) =>
      new ServiceRoles(scope, "roles", {
        naming: new Naming("demo", "test"),
        serviceName: "api",
        arns: ARNS,
        repositoryName: "ecr-repo-demo-api-test",
        logGroupName: "/ecs/api-test",
        secrets: [
          { arn: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a", kmsKeyArn: SECRET_KEY },
          { arn: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a", kmsKeyArn: SECRET_KEY },
          { arn: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:b" },
        ],
        access,
        ...extra,
      }),
  );
}

const docs = (out: Json) => all(out, "aws_iam_policy_document", "data");
const rolePolicy = (out: Json, role: "execution" | "task") =>
  Object.entries(all(out, "aws_iam_role_policy")).find(([id]) => id.includes(`${role}-policy`))![1];
const policyOf = (out: Json, role: "execution" | "task") =>
  statements({ statement: policyJsonStatements(rolePolicy(out, role).policy) });

describe("ServiceRoles", () => {
  const out = synth();
  const exec = policyOf(out, "execution");
  const task = policyOf(out, "task");
  const roles = all(out, "aws_iam_role");

  test("both roles trust only ECS tasks of the own account", () => {
    const trust = Object.entries(docs(out)).find(([id]) => id.includes("trust"))!;
    const [statement] = trust[1].statement;
    expect(statement.principals).toEqual([{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }]);
    expect(statement.condition).toEqual([
      { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
    ]);
    for (const role of Object.values(roles)) {
      expect(role.assume_role_policy).toBe(ref("aws_iam_policy_document", trust[0], "json", "data"));
    }
  });

  test("roles are named per service through the naming module", () => {
    expect(
      Object.values(roles)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["role-demo-api-exec-test", "role-demo-api-task-test"]);
  });

  test("each role policy is attached to its own role", () => {
    for (const [id, policy] of Object.entries(all(out, "aws_iam_role_policy"))) {
      const kind = id.includes("execution") ? "execution" : "task";
      const roleId = Object.keys(roles).find((r) => r.includes(`${kind}-role`))!;
      expect(policy.role).toBe(ref("aws_iam_role", roleId, "id"));
    }
  });

  test("execution role pulls only from the service's own repository", () => {
    expect(exec.PullOwnImage.resources).toEqual([
      `arn:aws:ecr:eu-west-1:${ACCOUNT}:repository/ecr-repo-demo-api-test`,
    ]);
  });

  test("execution role uses * only for ecr:GetAuthorizationToken", () => {
    const wildcard = Object.values(exec).filter((s) => s.resources.includes("*"));
    expect(wildcard).toEqual([expect.objectContaining({ actions: ["ecr:GetAuthorizationToken"] })]);
  });

  test("execution role writes only to the service's log group", () => {
    expect(exec.WriteOwnLogs.resources).toEqual([
      `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/ecs/api-test:*`,
    ]);
  });

  test("execution role reads exactly the service's secrets, once each", () => {
    expect(exec.ReadOwnSecrets.resources).toEqual([
      "arn:aws:secretsmanager:eu-west-1:111122223333:secret:a",
      "arn:aws:secretsmanager:eu-west-1:111122223333:secret:b",
    ]);
  });

  test("execution role decrypts only the secrets' customer-managed keys, via Secrets Manager", () => {
    expect(exec.DecryptOwnSecrets.resources).toEqual([SECRET_KEY]);
    expect(exec.DecryptOwnSecrets.condition[0].values).toEqual(["secretsmanager.eu-west-1.amazonaws.com"]);
  });

  test("task role uses * only for the X-Ray APIs", () => {
    const wildcard = Object.entries(task).filter(([, s]) => s.resources.includes("*"));
    expect(wildcard.map(([sid]) => sid)).toEqual(["XRayWrite"]);
    expect(task.XRayWrite.actions).toContain("xray:PutTraceSegments");
  });

  test("task role reads read-only buckets and writes only the writable ones", () => {
    expect(task.S3ReadBuckets.resources).toEqual(["arn:aws:s3:::reports-bucket"]);
    expect(task.S3ReadObjects).toEqual(
      expect.objectContaining({ actions: ["s3:GetObject"], resources: ["arn:aws:s3:::reports-bucket/*"] }),
    );
    expect(task.S3ReadWriteObjects.resources).toEqual(["arn:aws:s3:::uploads-bucket/*"]);
    expect(task.S3ReadWriteObjects.actions).toContain("s3:PutObject");
  });

  test("task role sends to and consumes from exactly the configured queues", () => {
    expect(task.SqsSend.resources).toEqual([`arn:aws:sqs:eu-west-1:${ACCOUNT}:orders`]);
    expect(task.SqsConsume.resources).toEqual([`arn:aws:sqs:eu-west-1:${ACCOUNT}:events`]);
  });

  test("task role reaches exactly the configured tables and their indexes", () => {
    const table = (n: string) => `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/${n}`;
    expect(task.DynamoDbRead.resources).toEqual([table("prices"), `${table("prices")}/index/*`]);
    expect(task.DynamoDbRead.actions).not.toContain("dynamodb:PutItem");
    expect(task.DynamoDbReadWrite.resources).toEqual([table("positions"), `${table("positions")}/index/*`]);
    expect(task.DynamoDbReadWrite.actions).toContain("dynamodb:PutItem");
  });

  test("ECS Exec is off by default: no ssmmessages", () => {
    expect(task.EcsExec).toBeUndefined();
  });
});

describe("ServiceRoles of a worker with ADOT and ECS Exec", () => {
  const out = synth({
    secrets: [],
    access: ServiceSchema.parse({ kind: "worker", cpu: 256, memory: 512 }).access,
    ownQueue: { arn: "${aws_sqs_queue.q.arn}", kmsKeyArn: QUEUE_KEY },
    metricsLogGroupName: "/ecs/metrics/jobs-test",
    customMetricNamespace: "Jobs/Application",
    enableExecuteCommand: true,
  });
  const exec = policyOf(out, "execution");
  const task = policyOf(out, "task");

  test("execution role has no secret statements when the service has no secrets", () => {
    expect(exec.ReadOwnSecrets).toBeUndefined();
    expect(exec.DecryptOwnSecrets).toBeUndefined();
  });

  test("task role consumes its own queue and decrypts with the queue's key via SQS", () => {
    expect(task.ConsumeOwnQueue.resources).toEqual(["${aws_sqs_queue.q.arn}"]);
    expect(task.ConsumeOwnQueue.actions).toEqual(
      expect.arrayContaining(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"]),
    );
    expect(task.DecryptOwnQueue.resources).toEqual([QUEUE_KEY]);
    expect(task.DecryptOwnQueue.condition[0].values).toEqual(["sqs.eu-west-1.amazonaws.com"]);
  });

  test("ADOT mode lets the task write EMF metrics to the platform's metrics log group, never create one", () => {
    const group = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/ecs/metrics/jobs-test`;
    expect(task.WriteEmfMetrics.resources).toEqual([`${group}:*`]);
    const actions = Object.values(task).flatMap((st) => (st as { actions: string[] }).actions);
    expect(actions).not.toContain("logs:CreateLogGroup");
  });

  test("a custom scaling metric may be published into its own namespace only", () => {
    expect(task.PublishOwnScalingMetric).toEqual(
      expect.objectContaining({
        actions: ["cloudwatch:PutMetricData"],
        condition: [
          expect.objectContaining({ variable: "cloudwatch:namespace", values: ["Jobs/Application"] }),
        ],
      }),
    );
  });

  test("ECS Exec adds the ssmmessages channels", () => {
    expect(task.EcsExec.actions).toContain("ssmmessages:OpenDataChannel");
    expect(task.EcsExec.resources).toEqual(["*"]);
  });

  test("no data-store statements when the config names none", () => {
    expect(Object.keys(task).filter((sid) => /^(S3|Sqs|DynamoDb)/.test(sid))).toEqual([]);
  });
});
