/**
 * Release of an ECS-native blue/green service against mocked AWS clients: UpdateService starts
 * the deployment, the CLI finds it among the service deployments by its target revision and
 * follows its stages, bake time and rollback to a verdict.
 */
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  ListServiceDeploymentsCommand,
  ServiceDeployment,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { CreateDeploymentCommand } from "@aws-sdk/client-codedeploy";
import { GetParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import {
  RegisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { release, releaseMode } from "../../scripts/release/release";
import { DeploymentInProgressError, ReleaseError } from "../../scripts/release/errors";
import { harness, Harness, MANIFEST, REPO, serviceState, TD_ARN } from "../support/release-harness";

const NEW = TD_ARN("td-payments-test", 5);
const OLD = TD_ARN("td-payments-test", 4);
const ARN = (id: string) =>
  `arn:aws:ecs:us-east-1:123456789012:service-deployment/ecs-trading-test/svc-payments-test/${id}`;
const REV = (id: string) =>
  `arn:aws:ecs:us-east-1:123456789012:service-revision/ecs-trading-test/svc-payments-test/${id}`;

/** ListServiceDeployments holds an older finished deployment and ours; revisions map to task definitions. */
function started(h: Harness, unfinishedBefore: string[] = []) {
  h.ecs.on(DescribeServicesCommand).resolves(serviceState("svc-payments-test", "ECS"));
  h.ecs.on(ListServiceDeploymentsCommand).callsFake((input: { status?: string[] }) =>
    input.status
      ? { serviceDeployments: unfinishedBefore.map((id) => ({ serviceDeploymentArn: ARN(id) })) }
      : {
          serviceDeployments: [
            { serviceDeploymentArn: ARN("old"), targetServiceRevisionArn: REV("r4"), createdAt: new Date(1) },
            { serviceDeploymentArn: ARN("new"), targetServiceRevisionArn: REV("r5"), createdAt: new Date(2) },
          ],
        },
  );
  h.ecs.on(DescribeServiceRevisionsCommand).callsFake((input: { serviceRevisionArns: string[] }) => ({
    serviceRevisions: [{ taskDefinition: input.serviceRevisionArns[0] === REV("r5") ? NEW : OLD }],
  }));
  h.ecs.on(UpdateServiceCommand).resolves({ service: { serviceName: "svc-payments-test" } });
}

const deployment = (
  status: ServiceDeployment["status"],
  stage: ServiceDeployment["lifecycleStage"],
  extra: Partial<ServiceDeployment> = {},
) => ({
  serviceDeployments: [
    {
      serviceDeploymentArn: ARN("new"),
      status,
      lifecycleStage: stage,
      targetServiceRevision: {
        arn: REV("r5"),
        requestedTaskCount: 2,
        runningTaskCount: 2,
        pendingTaskCount: 0,
      },
      ...extra,
    },
  ],
});

test("the manifest's ecs-blue-green strategy selects the ECS-native release", () => {
  expect(releaseMode("payments", MANIFEST.payments)).toBe("ecs-blue-green");
});

describe("ECS-native blue/green release that succeeds after its bake time", () => {
  let h: Harness;
  let outcome: Awaited<ReturnType<typeof release>>;
  beforeAll(async () => {
    h = harness();
    started(h);
    h.ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce(deployment("IN_PROGRESS", "SCALE_UP"))
      .resolvesOnce(deployment("IN_PROGRESS", "TEST_TRAFFIC_SHIFT"))
      .resolvesOnce(deployment("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT"))
      .resolvesOnce(deployment("IN_PROGRESS", "BAKE_TIME"))
      .resolvesOnce(deployment("IN_PROGRESS", "BAKE_TIME"))
      .resolves(deployment("SUCCESSFUL", "CLEAN_UP"));
    outcome = await release(h.rt, MANIFEST, { service: "payments", imageTag: "v2" });
  });

  test("records the image, then points the service at the new revision (no CodeDeploy)", () => {
    expect(h.ssm.commandCalls(PutParameterCommand)[0].args[0].input.Value).toBe(`${REPO("payments")}:v2`);
    expect(h.ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: "ecs-trading-test",
      service: "svc-payments-test",
      taskDefinition: NEW,
      desiredCount: undefined,
    });
    expect(h.codedeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  test("follows the deployment whose target revision runs the new task definition, not an older one", () => {
    expect(
      h.ecs
        .commandCalls(DescribeServiceDeploymentsCommand)
        .every((c) => c.args[0].input.serviceDeploymentArns?.includes(ARN("new"))),
    ).toBe(true);
  });

  test("prints each stage once, and when production has shifted and the bake time runs", () => {
    const stages = h.lines.filter((l) => l.startsWith("service deployment new:"));
    expect(stages.map((l) => l.split(" at ")[1].split(" ")[0])).toEqual([
      "SCALE_UP",
      "TEST_TRAFFIC_SHIFT",
      "PRODUCTION_TRAFFIC_SHIFT",
      "BAKE_TIME",
      "CLEAN_UP",
    ]);
    expect(h.lines.filter((l) => l.includes("baking (the alarms can still roll back)"))).toHaveLength(1);
    expect(h.lines.some((l) => l.includes("bake time 10 min"))).toBe(true);
  });

  test("does not suspend dynamic scaling (ECS owns both revisions' counts)", () => {
    expect(h.autoscaling.commandCalls(RegisterScalableTargetCommand)).toHaveLength(0);
    expect(h.autoscaling.commandCalls(DescribeScalableTargetsCommand)).toHaveLength(0);
  });

  test("reports the service deployment", () => {
    expect(outcome).toEqual({
      mode: "ecs-blue-green",
      taskDefinitionArn: NEW,
      deploymentId: ARN("new"),
      firstRelease: false,
    });
  });
});

describe("ECS-native blue/green release that rolls back", () => {
  let h: Harness;
  let failure: unknown;
  beforeAll(async () => {
    h = harness();
    started(h);
    const rollback = { reason: "alarm alarm-payments-green-5xx-test is in ALARM", started: new Date(3) };
    h.ecs
      .on(DescribeServiceDeploymentsCommand)
      .resolvesOnce(deployment("IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT"))
      .resolvesOnce(deployment("ROLLBACK_IN_PROGRESS", "PRODUCTION_TRAFFIC_SHIFT", { rollback }))
      .resolves(deployment("ROLLBACK_SUCCESSFUL", "CLEAN_UP", { rollback }));
    failure = await release(h.rt, MANIFEST, { service: "payments", imageTag: "v2" }).catch((e: unknown) => e);
  });

  test("follows the rollback to its end and fails with its reason", () => {
    expect(failure).toBeInstanceOf(ReleaseError);
    expect((failure as Error).message).toMatch(
      /svc-payments-test: service deployment new ended ROLLBACK_SUCCESSFUL \(alarm alarm-payments-green-5xx-test is in ALARM\); production stays on the previous revision/,
    );
    expect(h.lines.some((l) => l.includes("ROLLBACK_IN_PROGRESS") && l.includes("rolling back: alarm"))).toBe(
      true,
    );
  });

  test("restores the previous image in the release record", () => {
    const writes = h.ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input.Value);
    expect(writes).toEqual([`${REPO("payments")}:v2`, `${REPO("payments")}:v1`]);
  });
});

test("refuses to start while a blue/green deployment of the service is still baking", async () => {
  const h = harness();
  started(h, ["baking"]);
  await expect(release(h.rt, MANIFEST, { service: "payments", imageTag: "v2" })).rejects.toBeInstanceOf(
    DeploymentInProgressError,
  );
  expect(h.ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
  expect(h.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
});

test("fails before registering anything when the service is not under the ECS controller", async () => {
  const h = harness();
  started(h);
  h.ecs.on(DescribeServicesCommand).resolves(serviceState("svc-payments-test", "CODE_DEPLOY"));
  await expect(release(h.rt, MANIFEST, { service: "payments", imageTag: "v2" })).rejects.toThrow(
    /uses the CODE_DEPLOY deployment controller but the manifest says ecs-blue-green/,
  );
  expect(h.ssm.commandCalls(PutParameterCommand)).toHaveLength(0);
});

describe("first ECS-native blue/green release (leaving the bootstrap)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = harness();
    started(h);
    h.ssm.on(GetParameterCommand).resolves({ Parameter: { Value: `${REPO("payments")}:bootstrap` } });
    h.ecs.on(DescribeServiceDeploymentsCommand).resolves(deployment("SUCCESSFUL", "CLEAN_UP"));
    await release(h.rt, MANIFEST, { service: "payments", imageTag: "v2" });
  });

  test("starts the deployment with the configured desired count", () => {
    expect(h.ecs.commandCalls(UpdateServiceCommand)[0].args[0].input.desiredCount).toBe(2);
  });

  test("then registers autoscaling's configured minimum and maximum", () => {
    const registered = h.autoscaling.commandCalls(RegisterScalableTargetCommand).map((c) => c.args[0].input);
    expect(registered).toEqual([expect.objectContaining({ MinCapacity: 2, MaxCapacity: 10 })]);
  });
});
