/** What the release steps need from the outside world, injectable so tests run in milliseconds. */
import type { ApplicationAutoScalingClient } from "@aws-sdk/client-application-auto-scaling";
import type { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import type { ECRClient } from "@aws-sdk/client-ecr";
import type { ECSClient } from "@aws-sdk/client-ecs";
import type { SchedulerClient } from "@aws-sdk/client-scheduler";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { InterruptedError, WaitTimeoutError } from "./errors";

export interface ReleaseRuntime {
  readonly ecs: ECSClient;
  readonly codedeploy: CodeDeployClient;
  /** Checks that the image exists before anything is recorded. */
  readonly ecr: ECRClient;
  /** The release record (SSM parameter per service and environment). */
  readonly ssm: SSMClient;
  /** Suspends and resumes dynamic scaling around a CodeDeploy deployment. */
  readonly autoscaling: ApplicationAutoScalingClient;
  /** Enables a scheduled job's schedule at its first release. */
  readonly scheduler: SchedulerClient;
  /** Aborted on Ctrl-C/SIGTERM: waiting stops, clean-up (resume scaling) still runs. @default never */
  readonly signal?: AbortSignal;
  /** Progress output, one line per call. */
  readonly log: (line: string) => void;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  /** Delay between two status polls. @default 15000 */
  readonly pollIntervalMs: number;
  /** Give up waiting after this long (the deployment itself carries on). @default 60 minutes */
  readonly timeoutMs: number;
}

/**
 * Polls `check` until it returns a verdict or the deadline passes. Only changed progress lines
 * are printed, so a 20-minute canary does not print 80 identical lines.
 */
export async function pollUntil<T>(
  rt: ReleaseRuntime,
  what: string,
  check: () => Promise<{ done: true; value: T } | { done: false; progress: string }>,
): Promise<T> {
  const deadline = rt.now() + rt.timeoutMs;
  let last = "";
  for (;;) {
    if (rt.signal?.aborted)
      throw new InterruptedError(`interrupted while waiting for ${what} (last: ${last || "none"})`);
    const result = await check();
    if (result.done) return result.value;
    if (result.progress !== last) rt.log(result.progress);
    last = result.progress;
    if (rt.now() >= deadline) {
      throw new WaitTimeoutError(
        `timed out after ${Math.round(rt.timeoutMs / 60000)} min waiting for ${what} (last: ${last}); ` +
          "the deployment continues in AWS, follow it there or rerun with a larger --timeout-minutes",
      );
    }
    await rt.sleep(rt.pollIntervalMs);
  }
}
