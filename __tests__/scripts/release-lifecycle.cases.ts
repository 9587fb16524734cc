/**
 * The release's life cycle against mocked AWS clients: the release record is written before
 * anything is registered and restored when a release fails; the first release leaves the
 * bootstrap (0 tasks, min 0, schedule disabled); dynamic scaling is suspended for a CodeDeploy
 * deployment and resumed on every outcome; a running deployment is refused before anything
 * is registered.
 */
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import {
  CreateDeploymentCommand,
  GetDeploymentCommand,
  ListDeploymentsCommand,
} from "@aws-sdk/client-codedeploy";
import {
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { GetScheduleCommand, UpdateScheduleCommand } from "@aws-sdk/client-scheduler";
import { GetParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import {
  DeploymentInProgressError,
  ImageNotFoundError,
  InterruptedError,
  WaitTimeoutError,
} from "../../scripts/release/errors";
import { release } from "../../scripts/release/release";
import { harness, Harness, MANIFEST, PARAM, REPO, serviceState, TD_ARN } from "../support/release-harness";

const BOOTSTRAP = (service: string) => `${REPO(service)}:bootstrap`;

/** The record holds `value` (e.g. the bootstrap reference) for every service. */
function recordHolds(h: Harness, value: (service: string) => string) {
  h.recordBefore = value;
}

/** Every AWS call in order, across clients: `<Command> <detail>`. */
function recordCalls(h: Harness): string[] {
  const calls: string[] = [];
  h.ssm.on(PutParameterCommand).callsFake((input: { Name: string; Value: string }) => {
    calls.push(`PutParameter ${input.Value}`);
    h.records.set(input.Name, input.Value);
    return { Version: 2 };
  });
  h.ecs.on(RegisterTaskDefinitionCommand).callsFake((input: { family: string }) => {
    calls.push(`RegisterTaskDefinition ${input.family}`);
    return { taskDefinition: { taskDefinitionArn: TD_ARN(input.family, 5) } };
  });
  h.autoscaling
    .on(RegisterScalableTargetCommand)
    .callsFake(
      (input: {
        MinCapacity?: number;
        MaxCapacity?: number;
        SuspendedState?: { DynamicScalingInSuspended?: boolean };
      }) => {
        const counts =
          input.MinCapacity === undefined ? "" : ` min ${input.MinCapacity} max ${input.MaxCapacity}`;
        calls.push(
          `RegisterScalableTarget ${input.SuspendedState?.DynamicScalingInSuspended ? "suspend" : "resume"}${counts}`,
        );
        return {};
      },
    );
  return calls;
}

const codeDeployService = (h: Harness) =>
  h.ecs.on(DescribeServicesCommand).resolves(serviceState("svc-frontend-test", "CODE_DEPLOY"));

function deploymentEnds(h: Harness, status: "Succeeded" | "Failed", calls: string[]) {
  h.codedeploy.on(CreateDeploymentCommand).callsFake(() => {
    calls.push("CreateDeployment");
    return { deploymentId: "d-1" };
  });
  h.codedeploy.on(GetDeploymentCommand, { deploymentId: "d-1" }).resolves({
    deploymentInfo: {
      deploymentId: "d-1",
      status,
      ...(status === "Failed"
        ? {
            errorInformation: { code: "ALARM_ACTIVE", message: "5xx" },
            rollbackInfo: { rollbackDeploymentId: "d-2" },
          }
        : {}),
    },
  });
  h.codedeploy
    .on(GetDeploymentCommand, { deploymentId: "d-2" })
    .resolves({ deploymentInfo: { deploymentId: "d-2", status: "Succeeded" } });
}

describe("a CodeDeploy release", () => {
  test("records the image, registers, and deploys with dynamic scaling suspended, then resumes it", async () => {
    const h = harness();
    codeDeployService(h);
    const calls = recordCalls(h);
    deploymentEnds(h, "Succeeded", calls);
    await release(h.rt, MANIFEST, { service: "frontend", imageTag: "v2" });
    expect(calls).toEqual([
      `PutParameter ${REPO("frontend")}:v2`,
      "RegisterTaskDefinition td-frontend-test",
      "RegisterScalableTarget suspend",
      "CreateDeployment",
      "RegisterScalableTarget resume",
    ]);
    const suspend = h.autoscaling.commandCalls(RegisterScalableTargetCommand)[0].args[0].input;
    expect(suspend).toEqual({
      ServiceNamespace: "ecs",
      ResourceId: "service/ecs-trading-test/svc-frontend-test",
      ScalableDimension: "ecs:service:DesiredCount",
      SuspendedState: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true },
    });
  });

  test("writes the record to the service's parameter, overwriting it", async () => {
    const h = harness();
    codeDeployService(h);
    deploymentEnds(h, "Succeeded", []);
    await release(h.rt, MANIFEST, { service: "frontend", imageTag: `sha256:${"b".repeat(64)}` });
    expect(h.ssm.commandCalls(PutParameterCommand)[0].args[0].input).toEqual({
      Name: PARAM("frontend"),
      Value: `${REPO("frontend")}@sha256:${"b".repeat(64)}`,
      Overwrite: true,
    });
  });

  test("that rolls back resumes scaling and restores the previous record", async () => {
    const h = harness();
    codeDeployService(h);
    const calls = recordCalls(h);
    deploymentEnds(h, "Failed", calls);
    await expect(release(h.rt, MANIFEST, { service: "frontend", imageTag: "v3" })).rejects.toThrow(
      /rolled back by d-2: Succeeded/,
    );
    expect(calls).toEqual([
      `PutParameter ${REPO("frontend")}:v3`,
      "RegisterTaskDefinition td-frontend-test",
      "RegisterScalableTarget suspend",
      "CreateDeployment",
      "RegisterScalableTarget resume",
      `PutParameter ${REPO("frontend")}:v1`,
    ]);
    expect(h.lines).toContain(
      `restored ${PARAM("frontend")} to ${REPO("frontend")}:v1 (the release did not complete)`,
    );
  });

  test("interrupted while waiting resumes scaling and keeps the record (the deployment carries on)", async () => {
    const abort = new AbortController();
    const h = harness(10 * 60_000, abort);
    codeDeployService(h);
    const calls = recordCalls(h);
    h.codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-1" });
    h.codedeploy.on(GetDeploymentCommand).callsFake(() => {
      abort.abort();
      return { deploymentInfo: { deploymentId: "d-1", status: "InProgress" } };
    });
    await expect(release(h.rt, MANIFEST, { service: "frontend", imageTag: "v2" })).rejects.toBeInstanceOf(
      InterruptedError,
    );
    expect(calls.at(-1)).toBe("RegisterScalableTarget resume");
    expect(calls.filter((c) => c.startsWith("PutParameter"))).toEqual([
      `PutParameter ${REPO("frontend")}:v2`,
    ]);
  });

  test("interrupted before the deployment starts deploys nothing and restores the record", async () => {
    const abort = new AbortController();
    const h = harness(10 * 60_000, abort);
    codeDeployService(h);
    const calls = recordCalls(h);
    h.ecs.on(RegisterTaskDefinitionCommand).callsFake((input: { family: string }) => {
      abort.abort();
      return { taskDefinition: { taskDefinitionArn: TD_ARN(input.family, 5) } };
    });
    await expect(release(h.rt, MANIFEST, { service: "frontend", imageTag: "v2" })).rejects.toThrow(
      /interrupted before the deployment started; nothing was deployed/,
    );
    expect(h.codedeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
    expect(calls).toEqual([`PutParameter ${REPO("frontend")}:v2`, `PutParameter ${REPO("frontend")}:v1`]);
  });

  /** A first release of the CodeDeploy service whose tasks reach `running` after the scale-up. */
  async function firstBlueGreen(running: number[]) {
    const h = harness(60_000);
    recordHolds(h, BOOTSTRAP);
    const calls = recordCalls(h);
    deploymentEnds(h, "Succeeded", calls);
    let describe = h.ecs
      .on(DescribeServicesCommand)
      .resolvesOnce(serviceState("svc-frontend-test", "CODE_DEPLOY"));
    for (const count of running)
      describe = describe.resolvesOnce({ services: [{ runningCount: count, pendingCount: 3 - count }] });
    describe.resolves({ services: [{ runningCount: running.at(-1), pendingCount: 0 }] });
    h.ecs.on(UpdateServiceCommand).callsFake((input: { desiredCount?: number }) => {
      calls.push(`UpdateService desired ${input.desiredCount}`);
      return {};
    });
    const result = await release(h.rt, MANIFEST, { service: "frontend", imageTag: "v1.0.0" }).catch(
      (e: Error) => e,
    );
    return { h, calls, result };
  }

  test("first release deploys at 0 tasks, raises the service to its counts, waits for them, registers min/max", async () => {
    const { h, calls, result } = await firstBlueGreen([0, 1, 3]);
    expect(result).toMatchObject({ firstRelease: true, mode: "codedeploy" });
    expect(calls).toEqual([
      `PutParameter ${REPO("frontend")}:v1.0.0`,
      "RegisterTaskDefinition td-frontend-test",
      "RegisterScalableTarget suspend",
      "CreateDeployment",
      "UpdateService desired 3",
      "RegisterScalableTarget resume min 2 max 6",
    ]);
    expect(h.lines).toContain("svc-frontend-test: running 1/3, pending 2");
  });

  test("first release whose tasks never run goes back to 0 tasks and the bootstrap record", async () => {
    const { calls, result } = await firstBlueGreen([0]);
    expect(String(result)).toMatch(/its tasks did not reach 3 running/);
    expect(calls.slice(4)).toEqual([
      "UpdateService desired 3",
      "RegisterScalableTarget resume",
      "UpdateService desired 0",
      `PutParameter ${BOOTSTRAP("frontend")}`,
    ]);
  });

  test("an operator's suspension from before the release is kept", async () => {
    const h = harness();
    codeDeployService(h);
    deploymentEnds(h, "Succeeded", []);
    h.autoscaling
      .on(DescribeScalableTargetsCommand)
      .resolves({ ScalableTargets: [{ SuspendedState: { DynamicScalingInSuspended: true } } as never] });
    await release(h.rt, MANIFEST, { service: "frontend", imageTag: "v2" });
    const resume = h.autoscaling.commandCalls(RegisterScalableTargetCommand).at(-1)!.args[0].input;
    expect(resume.SuspendedState).toEqual({
      DynamicScalingInSuspended: true,
      DynamicScalingOutSuspended: false,
    });
  });

  test("timed out while waiting keeps the record and resumes scaling (the deployment carries on)", async () => {
    const h = harness(60_000);
    codeDeployService(h);
    const calls = recordCalls(h);
    h.codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-1" });
    h.codedeploy
      .on(GetDeploymentCommand)
      .resolves({ deploymentInfo: { deploymentId: "d-1", status: "InProgress" } });
    await expect(release(h.rt, MANIFEST, { service: "frontend", imageTag: "v2" })).rejects.toBeInstanceOf(
      WaitTimeoutError,
    );
    expect(calls.filter((c) => c.startsWith("PutParameter"))).toEqual([
      `PutParameter ${REPO("frontend")}:v2`,
    ]);
    expect(calls.at(-1)).toBe("RegisterScalableTarget resume");
  });

  test("a failed release leaves the record alone when another release has written it since", async () => {
    const h = harness();
    codeDeployService(h);
    const calls = recordCalls(h);
    h.codedeploy.on(CreateDeploymentCommand).callsFake(() => {
      h.records.set(PARAM("frontend"), `${REPO("frontend")}:v9`);
      throw Object.assign(new Error("deployment already in progress"), {
        name: "DeploymentLimitExceededException",
      });
    });
    await expect(release(h.rt, MANIFEST, { service: "frontend", imageTag: "v2" })).rejects.toThrow(
      /deployment already in progress/,
    );
    expect(calls.filter((c) => c.startsWith("PutParameter"))).toEqual([
      `PutParameter ${REPO("frontend")}:v2`,
    ]);
    expect(h.lines).toContain(
      `${PARAM("frontend")} now names ${REPO("frontend")}:v9 (another release): left as it is`,
    );
  });

  test("a failing clean-up is reported and never hides the deployment's own error", async () => {
    const h = harness();
    codeDeployService(h);
    deploymentEnds(h, "Failed", []);
    h.autoscaling
      .on(RegisterScalableTargetCommand, {
        SuspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false },
      })
      .rejects(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }));
    await expect(release(h.rt, MANIFEST, { service: "frontend", imageTag: "v3" })).rejects.toThrow(
      /deployment d-1 Failed \(ALARM_ACTIVE: 5xx\)/,
    );
    expect(h.lines).toContain(
      "CLEAN-UP FAILED: resume dynamic scaling of svc-frontend-test: ThrottlingException: Rate exceeded; do it by hand",
    );
  });
});

describe("an image that is not in ECR", () => {
  test("is refused before anything is recorded or registered", async () => {
    const h = harness();
    h.ecs.on(DescribeServicesCommand).resolves(serviceState("svc-processor-test", "ECS"));
    h.ecr
      .on(DescribeImagesCommand)
      .rejects(
        Object.assign(new Error("The image requested does not exist"), { name: "ImageNotFoundException" }),
      );
    await expect(release(h.rt, MANIFEST, { service: "processor", imageTag: "v404" })).rejects.toBeInstanceOf(
      ImageNotFoundError,
    );
    expect(h.ecr.commandCalls(DescribeImagesCommand)[0].args[0].input).toEqual({
      repositoryName: "processor-test",
      imageIds: [{ imageTag: "v404" }],
    });
    expect(h.ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(h.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  test("is looked up by digest when released by digest", async () => {
    const h = harness();
    const digest = `sha256:${"c".repeat(64)}`;
    await release(h.rt, MANIFEST, { service: "report", imageTag: digest });
    expect(h.ecr.commandCalls(DescribeImagesCommand)[0].args[0].input.imageIds).toEqual([
      { imageDigest: digest },
    ]);
  });
});

describe("a rolling release", () => {
  function rollout(h: Harness, rolloutState: "COMPLETED" | "FAILED") {
    h.ecs.on(UpdateServiceCommand).callsFake((input: { taskDefinition?: string }) => ({
      service: {
        deployments: [{ id: `ecs-svc/${input.taskDefinition ? "new" : "scale"}`, status: "PRIMARY" }],
      },
    }));
    h.ecs
      .on(DescribeServicesCommand)
      .resolvesOnce(serviceState("svc-processor-test", "ECS"))
      .resolves(
        serviceState("svc-processor-test", "ECS", [
          { id: "ecs-svc/new", status: "PRIMARY", rolloutState, rolloutStateReason: "tasks failed to start" },
        ]),
      );
  }

  test("first release starts the service at its desired count, then registers min/max", async () => {
    const h = harness();
    recordHolds(h, BOOTSTRAP);
    rollout(h, "COMPLETED");
    const calls = recordCalls(h);
    const outcome = await release(h.rt, MANIFEST, { service: "processor", imageTag: "v1.0.0" });
    expect(outcome).toMatchObject({ mode: "rolling", firstRelease: true });
    expect(h.ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: "ecs-trading-test",
      service: "svc-processor-test",
      taskDefinition: TD_ARN("td-processor-test", 5),
      desiredCount: 2,
    });
    expect(calls.at(-1)).toBe("RegisterScalableTarget resume min 1 max 4");
  });

  test("a failed first release goes back to 0 tasks and to the bootstrap record", async () => {
    const h = harness();
    recordHolds(h, BOOTSTRAP);
    rollout(h, "FAILED");
    const calls = recordCalls(h);
    await expect(release(h.rt, MANIFEST, { service: "processor", imageTag: "v1.0.0" })).rejects.toThrow(
      /FAILED \(tasks failed to start\)/,
    );
    expect(h.ecs.commandCalls(UpdateServiceCommand).map((c) => c.args[0].input.desiredCount)).toEqual([2, 0]);
    expect(calls.at(-1)).toBe(`PutParameter ${BOOTSTRAP("processor")}`);
    expect(h.autoscaling.commandCalls(RegisterScalableTargetCommand)).toHaveLength(0);
  });

  test("a later release neither changes the desired count nor registers scaling", async () => {
    const h = harness();
    rollout(h, "COMPLETED");
    await release(h.rt, MANIFEST, { service: "processor", imageTag: "v2" });
    expect(h.ecs.commandCalls(UpdateServiceCommand)[0].args[0].input.desiredCount).toBeUndefined();
    expect(h.autoscaling.commandCalls(RegisterScalableTargetCommand)).toHaveLength(0);
  });
});

describe("a deployment already in progress", () => {
  test("of a CodeDeploy group is reported before anything is recorded or registered", async () => {
    const h = harness();
    codeDeployService(h);
    h.codedeploy.on(ListDeploymentsCommand).resolves({ deployments: ["d-RUNNING"] });
    const error = await release(h.rt, MANIFEST, { service: "frontend", imageTag: "v2" }).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(DeploymentInProgressError);
    expect((error as Error).message).toMatch(
      /CodeDeploy deployment d-RUNNING of dg-frontend-test is still running; nothing was registered or recorded/,
    );
    expect(h.codedeploy.commandCalls(ListDeploymentsCommand)[0].args[0].input).toEqual({
      applicationName: "cd-frontend-test",
      deploymentGroupName: "dg-frontend-test",
      includeOnlyStatuses: ["Created", "Queued", "InProgress", "Baking", "Ready"],
    });
    expect(h.ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(h.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  test("of an ECS rolling service is reported before anything is recorded or registered", async () => {
    const h = harness();
    h.ecs.on(DescribeServicesCommand).resolves(
      serviceState("svc-processor-test", "ECS", [
        { id: "ecs-svc/2", status: "PRIMARY", rolloutState: "IN_PROGRESS", taskDefinition: TD_ARN("t", 3) },
        { id: "ecs-svc/1", status: "ACTIVE", rolloutState: "COMPLETED" },
      ]),
    );
    await expect(release(h.rt, MANIFEST, { service: "processor", imageTag: "v2" })).rejects.toThrow(
      /ECS deployment ecs-svc\/2 of svc-processor-test is still in progress \(2 deployments, task definition .*t:3\)/,
    );
    expect(h.ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
    expect(h.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });
});

describe("a scheduled job's release", () => {
  test("first release enables its schedule, sending back every field with the state changed", async () => {
    const h = harness();
    recordHolds(h, BOOTSTRAP);
    const schedule = {
      Name: "schedule-report-test",
      GroupName: "schedules-report-test",
      ScheduleExpression: "rate(6 hours)",
      FlexibleTimeWindow: { Mode: "OFF" as const },
      Target: { Arn: "arn:cluster", RoleArn: "arn:role", EcsParameters: { TaskDefinitionArn: "arn:td" } },
      State: "DISABLED" as const,
    };
    h.scheduler.on(GetScheduleCommand).resolves(schedule);
    const outcome = await release(h.rt, MANIFEST, { service: "report", imageTag: "v1" });
    expect(outcome.firstRelease).toBe(true);
    expect(h.scheduler.commandCalls(GetScheduleCommand)[0].args[0].input).toEqual({
      Name: "schedule-report-test",
      GroupName: "schedules-report-test",
    });
    expect(h.scheduler.commandCalls(UpdateScheduleCommand)[0].args[0].input).toMatchObject({
      ...schedule,
      State: "ENABLED",
    });
  });

  test("a later release leaves the schedule alone", async () => {
    const h = harness();
    await release(h.rt, MANIFEST, { service: "report", imageTag: "v2" });
    expect(h.scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });
});

test("fails with what to do when the service's release record does not exist", async () => {
  const h = harness();
  h.ecs.on(DescribeServicesCommand).resolves(serviceState("svc-processor-test", "ECS"));
  h.ssm.on(GetParameterCommand).rejects(Object.assign(new Error("not found"), { name: "ParameterNotFound" }));
  await expect(release(h.rt, MANIFEST, { service: "processor", imageTag: "v2" })).rejects.toThrow(
    /release record \/trading\/test\/release\/processor\/image does not exist: deploy the platform stack of this environment first/,
  );
  expect(h.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
});

test("the scalable target API is the Application Auto Scaling client's", () => {
  expect(harness().rt.autoscaling).toBeInstanceOf(ApplicationAutoScalingClient);
});
