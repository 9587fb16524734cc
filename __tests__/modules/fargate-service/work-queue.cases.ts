import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { ServiceSchema } from "../../../config/schema";
import { WorkQueue } from "../../../modules/fargate-service/work-queue";
import { Naming } from "../../../modules/naming";
import type { Json } from "../../support/synth";

const KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

const { queue } = ServiceSchema.parse({
  kind: "worker",
  cpu: 256,
  memory: 512,
  queue: { visibilityTimeoutSeconds: 900, maxReceiveCount: 3, retentionSeconds: 86400 },
});

describe("WorkQueue", () => {
  const out: Json = JSON.parse(
    Testing.synthScope(
      (scope) =>
        new WorkQueue(scope, "work", {
          naming: new Naming("fraud", "test"),
          serviceName: "worker",
          kmsKeyArn: KEY,
          queue,
        }),
    ),
  );
  const queues: Record<string, Json> = out.resource.aws_sqs_queue;
  const [dlqId, dlq] = Object.entries(queues).find(([id]) => id.includes("dead-letter"))!;
  const [queueId, main] = Object.entries(queues).find(([id]) => !id.includes("dead-letter"))!;
  const allow = Object.values(out.resource.aws_sqs_queue_redrive_allow_policy)[0] as Json;

  test("names the queue and its DLQ through the naming module", () => {
    expect(main.name).toBe("sqs-fraud-worker-test");
    expect(dlq.name).toBe("sqs-fraud-worker-dlq-test");
  });

  test("queue takes visibility timeout and retention from the service config", () => {
    expect(main.visibility_timeout_seconds).toBe(900);
    expect(main.message_retention_seconds).toBe(86400);
  });

  test("queue redrives to its DLQ after the configured receive count", () => {
    expect(JSON.parse(main.redrive_policy)).toEqual({
      deadLetterTargetArn: `\${aws_sqs_queue.${dlqId}.arn}`,
      maxReceiveCount: 3,
    });
  });

  test("DLQ keeps messages for 14 days, the SQS maximum", () => {
    expect(dlq.message_retention_seconds).toBe(1209600);
    expect(dlq.redrive_policy).toBeUndefined();
  });

  test("both queues are encrypted with the customer-managed key and reuse data keys for 5 minutes", () => {
    for (const q of [main, dlq]) {
      expect(q.kms_master_key_id).toBe(KEY);
      expect(q.kms_data_key_reuse_period_seconds).toBe(300);
      expect(q.sqs_managed_sse_enabled).toBeUndefined();
    }
  });

  test("DLQ accepts redrives only from its own queue", () => {
    expect(allow.queue_url).toBe(`\${aws_sqs_queue.${dlqId}.url}`);
    expect(JSON.parse(allow.redrive_allow_policy)).toEqual({
      redrivePermission: "byQueue",
      sourceQueueArns: [`\${aws_sqs_queue.${queueId}.arn}`],
    });
  });
});
