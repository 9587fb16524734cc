/**
 * Runs one task with a service's task definition (latest ACTIVE revision of its family) and
 * network settings, follows it to STOPPED printing each status change, and returns the exit
 * code of the container whose command was run.
 */
import { DescribeTasksCommand, RunTaskCommand, type ECSClient, type Task } from "@aws-sdk/client-ecs";
import type { OneOffTaskEntry } from "../../modules/contracts";
import { TaskError } from "./manifest";

export interface TaskRuntime {
  readonly ecs: ECSClient;
  readonly log: (line: string) => void;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  /** Aborted on Ctrl-C/SIGTERM: waiting stops (the task keeps running in AWS). */
  readonly signal?: AbortSignal;
}

export interface TaskRequest {
  readonly service: string;
  readonly entry: OneOffTaskEntry;
  /** Shell command (`sh -c`) replacing the container's command. @default the task definition's */
  readonly command?: string;
}

export interface TaskOutcome {
  readonly taskArn: string;
  /** The container's exit code; undefined when the task stopped before the container ran. */
  readonly exitCode?: number;
  readonly stoppedReason?: string;
}

/** Task id from its ARN (`arn:aws:ecs:<region>:<account>:task/<cluster>/<id>`). */
export const taskId = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

export async function runOneOffTask(rt: TaskRuntime, request: TaskRequest): Promise<TaskOutcome> {
  const { entry } = request;
  const started = await rt.ecs.send(
    new RunTaskCommand({
      cluster: entry.clusterName,
      taskDefinition: entry.taskDefinitionFamily,
      launchType: "FARGATE",
      count: 1,
      startedBy: `npm-run-task-${request.service}`.slice(0, 36),
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [...entry.subnetIds],
          securityGroups: [...entry.securityGroupIds],
          assignPublicIp: "DISABLED",
        },
      },
      overrides: request.command
        ? { containerOverrides: [{ name: entry.containerName, command: ["sh", "-c", request.command] }] }
        : undefined,
    }),
  );
  const failure = started.failures?.[0];
  const task = started.tasks?.[0];
  if (!task?.taskArn) {
    throw new TaskError(
      `RunTask started no task for ${request.service}: ${failure ? `${failure.reason ?? "unknown"} (${failure.arn ?? entry.taskDefinitionFamily})` : "no reason given"}`,
    );
  }
  const arn = task.taskArn;
  rt.log(`started task ${taskId(arn)} of ${entry.taskDefinitionFamily} on ${entry.clusterName}`);
  rt.log(
    `its output: aws logs tail ${entry.logGroupName} --follow --log-stream-names ${entry.logStreamPrefix}/${entry.containerName}/${taskId(arn)}`,
  );

  const deadline = rt.now() + rt.timeoutMs;
  let last = "";
  for (;;) {
    const described = await rt.ecs.send(
      new DescribeTasksCommand({ cluster: entry.clusterName, tasks: [arn] }),
    );
    const current: Task | undefined = described.tasks?.[0];
    const status = current?.lastStatus ?? "UNKNOWN";
    if (status !== last) rt.log(`task ${taskId(arn)}: ${status}`);
    last = status;
    if (current && status === "STOPPED") {
      const container = current.containers?.find((c) => c.name === entry.containerName);
      if (container?.reason) rt.log(`container ${entry.containerName}: ${container.reason}`);
      return { taskArn: arn, exitCode: container?.exitCode, stoppedReason: current.stoppedReason };
    }
    if (rt.signal?.aborted) {
      throw new TaskError(
        `interrupted: task ${taskId(arn)} keeps running in AWS (stop it with aws ecs stop-task)`,
      );
    }
    if (rt.now() >= deadline) {
      throw new TaskError(
        `timed out after ${Math.round(rt.timeoutMs / 60000)} min waiting for task ${taskId(arn)} (last status ${status}); it keeps running in AWS`,
      );
    }
    await rt.sleep(rt.pollIntervalMs);
  }
}
