/**
 * The SQS queue a `worker` service consumes, with its dead-letter queue. Both are encrypted with
 * the platform's customer-managed KMS key. The DLQ only accepts messages redriven from this
 * queue.
 */
import { Construct } from "constructs";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueueRedriveAllowPolicy } from "@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy";
import type { ServiceConfig } from "../../config/schema";
import type { Naming } from "../naming";

/** SQS maximum retention (14 days): a DLQ keeps failed messages as long as SQS allows. */
export const SQS_MAX_RETENTION_SECONDS = 1_209_600;
/**
 * How long SQS reuses a data key before asking KMS again. 300 s (the SQS default) keeps KMS
 * calls, and their cost, low while the key is still rotated often.
 */
export const KMS_DATA_KEY_REUSE_SECONDS = 300;

export interface WorkQueueProps {
  readonly naming: Naming;
  /** Service name in the config (the queue is `sqs-<service>-<suffix>`). */
  readonly serviceName: string;
  /** Customer-managed KMS key that encrypts both queues. */
  readonly kmsKeyArn: string;
  readonly queue: ServiceConfig["queue"];
}

export class WorkQueue extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  /** Limits which queues may use the DLQ (a separate resource: inline would form a cycle). */
  readonly redriveAllowPolicy: SqsQueueRedriveAllowPolicy;

  constructor(scope: Construct, id: string, props: WorkQueueProps) {
    super(scope, id);
    const { naming, serviceName, queue } = props;
    const encryption = {
      kmsMasterKeyId: props.kmsKeyArn,
      kmsDataKeyReusePeriodSeconds: KMS_DATA_KEY_REUSE_SECONDS,
    };

    // A standard-queue message keeps its original enqueue time when it moves to the DLQ, so
    // the DLQ keeps the maximum retention to never expire a message before the source would.
    this.deadLetterQueue = new SqsQueue(this, "dead-letter-queue", {
      name: naming.name("sqsQueue", `${serviceName}-dlq`),
      messageRetentionSeconds: SQS_MAX_RETENTION_SECONDS,
      ...encryption,
    });

    this.queue = new SqsQueue(this, "queue", {
      name: naming.name("sqsQueue", serviceName),
      visibilityTimeoutSeconds: queue.visibilityTimeoutSeconds,
      messageRetentionSeconds: queue.retentionSeconds,
      redrivePolicy: JSON.stringify({
        deadLetterTargetArn: this.deadLetterQueue.arn,
        maxReceiveCount: queue.maxReceiveCount,
      }),
      ...encryption,
    });

    // The DLQ's redrive_allow_policy names the source queue, whose redrive_policy names the
    // DLQ: set inline on both queues that is a dependency cycle, hence the separate resource.
    this.redriveAllowPolicy = new SqsQueueRedriveAllowPolicy(this, "redrive-allow-policy", {
      queueUrl: this.deadLetterQueue.url,
      redriveAllowPolicy: JSON.stringify({
        redrivePermission: "byQueue",
        sourceQueueArns: [this.queue.arn],
      }),
    });
  }
}
