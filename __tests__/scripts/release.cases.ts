/**
 * The release flow against mocked AWS clients: what is registered, what is deployed, how the
 * verdict is followed and reported. No network; sleep and clock are fakes.
 */
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { CreateDeploymentCommand, GetDeploymentCommand } from "@aws-sdk/client-codedeploy";
import { appSpec, progressLine } from "../../scripts/release/blue-green";
import { release, releaseMode } from "../../scripts/release/release";
import { imageReference, READ_ONLY_FIELDS, registerInput } from "../../scripts/release/task-definition";
import {
  ACCOUNT,
  described,
  harness,
  Harness,
  MANIFEST,
  REPO,
  serviceState,
  TD_ARN,
} from "../support/release-harness";

describe("registered task definition", () => {
  const input = registerInput(
    described("td-frontend-test").taskDefinition,
    described("x").tags,
    "app",
    "repo:v2",
  );

  test("drops every read-only field DescribeTaskDefinition returns", () => {
    for (const field of READ_ONLY_FIELDS) expect(input).not.toHaveProperty(field);
  });

  test("replaces the image of the application container only", () => {
    expect(input.containerDefinitions?.map((c) => [c.name, c.image])).toEqual([
      ["app", "repo:v2"],
      ["xray-daemon", "public.ecr.aws/xray/aws-xray-daemon:3.3.14"],
    ]);
  });

  test("keeps roles, sizes, network mode and tags of the current revision", () => {
    expect(input).toMatchObject({
      family: "td-frontend-test",
      taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/task-td-frontend-test`,
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/exec-td-frontend-test`,
      cpu: "512",
      memory: "1024",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      tags: [{ key: "Team", value: "platform" }],
    });
  });

  test("omits an empty tag list (RegisterTaskDefinition rejects it)", () => {
    expect(registerInput(described("f").taskDefinition, [], "app", "i")).not.toHaveProperty("tags");
  });

  test("fails when the manifest's container is not in the task definition", () => {
    expect(() => registerInput(described("f").taskDefinition, [], "web", "i")).toThrow(
      /has no container "web" \(containers: app, xray-daemon\)/,
    );
  });

  test("references a digest with @ and a tag with :", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(imageReference("repo", digest)).toBe(`repo@${digest}`);
    expect(imageReference("repo", "v1.2.3")).toBe("repo:v1.2.3");
  });

  test("fails when the image tag is not a Docker tag", () => {
    expect(() => imageReference("repo", "-bad/tag")).toThrow(/--image-tag "-bad\/tag" is not a Docker tag/);
  });
});

describe("AppSpec content", () => {
  const spec = JSON.parse(
    appSpec({
      taskDefinitionArn: TD_ARN("td-frontend-test", 5),
      containerName: "app",
      containerPort: 8080,
      capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", base: 2, weight: 1 }],
    }),
  );

  test("is an ECS AppSpec version 0.0 targeting the service", () => {
    expect(spec.version).toBe("0.0");
    expect(spec.Resources).toHaveLength(1);
    expect(spec.Resources[0].TargetService.Type).toBe("AWS::ECS::Service");
  });

  test("names the new task definition and the load balancer container and port", () => {
    expect(spec.Resources[0].TargetService.Properties).toMatchObject({
      TaskDefinition: TD_ARN("td-frontend-test", 5),
      LoadBalancerInfo: { ContainerName: "app", ContainerPort: 8080 },
    });
  });

  test("carries the service's capacity provider strategy to the green task set", () => {
    expect(spec.Resources[0].TargetService.Properties.CapacityProviderStrategy).toEqual([
      { CapacityProvider: "FARGATE_SPOT", Base: 2, Weight: 1 },
    ]);
  });

  test("leaves the strategy out when the service has none (cluster default applies)", () => {
    const bare = JSON.parse(appSpec({ taskDefinitionArn: "arn", containerName: "app", containerPort: 80 }));
    expect(bare.Resources[0].TargetService.Properties).not.toHaveProperty("CapacityProviderStrategy");
  });
});

test("CodeDeploy progress lines carry its status messages", () => {
  const line = progressLine("deployment", {
    deploymentId: "d-1",
    status: "InProgress",
    deploymentOverview: { InProgress: 1 },
    deploymentStatusMessages: ["Waiting for replacement task set", "Rerouting traffic"],
  });
  expect(line).toBe(
    "deployment d-1: InProgress (pending 0, in progress 1, ready 0, succeeded 0, failed 0) - Waiting for replacement task set; Rerouting traffic",
  );
});

describe("release mode", () => {
  test("web with a CodeDeploy group deploys blue/green, backend rolls, scheduled only registers", () => {
    expect(releaseMode("frontend", MANIFEST.frontend)).toBe("codedeploy");
    expect(releaseMode("processor", MANIFEST.processor)).toBe("rolling");
    expect(releaseMode("report", MANIFEST.report)).toBe("register-only");
  });

  test("web without a CodeDeploy group (rolling strategy) rolls", () => {
    const { codedeployApplication: _a, codedeployDeploymentGroup: _g, ...rolling } = MANIFEST.frontend;
    expect(releaseMode("frontend", rolling)).toBe("rolling");
  });

  test("fails when only one of application and deployment group is named", () => {
    expect(() =>
      releaseMode("frontend", { ...MANIFEST.frontend, codedeployDeploymentGroup: undefined }),
    ).toThrow(/names only one of codedeployApplication\/codedeployDeploymentGroup/);
  });

  test("fails when a service kind has no ECS service name", () => {
    expect(() => releaseMode("processor", { ...MANIFEST.processor, serviceName: undefined })).toThrow(
      /no serviceName for this backend service/,
    );
  });
});

describe("web release through CodeDeploy", () => {
  let h: Harness;
  let outcome: Awaited<ReturnType<typeof release>>;
  beforeAll(async () => {
    h = harness();
    h.ecs.on(DescribeServicesCommand).resolves(serviceState("svc-frontend-test", "CODE_DEPLOY"));
    h.codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-BLUEGREEN1" });
    h.codedeploy
      .on(GetDeploymentCommand)
      .resolvesOnce({ deploymentInfo: { deploymentId: "d-BLUEGREEN1" } })
      .resolvesOnce({ deploymentInfo: { deploymentId: "d-BLUEGREEN1", status: "Created" } })
      .resolvesOnce({
        deploymentInfo: {
          deploymentId: "d-BLUEGREEN1",
          status: "InProgress",
          deploymentOverview: { InProgress: 1 },
        },
      })
      .resolvesOnce({
        deploymentInfo: {
          deploymentId: "d-BLUEGREEN1",
          status: "InProgress",
          deploymentOverview: { InProgress: 1 },
        },
      })
      .resolves({
        deploymentInfo: {
          deploymentId: "d-BLUEGREEN1",
          status: "Succeeded",
          deploymentOverview: { Succeeded: 1 },
        },
      });
    outcome = await release(h.rt, MANIFEST, { service: "frontend", imageTag: "v2" });
  });

  test("registers the family's latest revision with the new image", () => {
    const describe = h.ecs.commandCalls(DescribeTaskDefinitionCommand)[0].args[0].input;
    expect(describe).toEqual({ taskDefinition: "td-frontend-test", include: ["TAGS"] });
    const registered = h.ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input;
    expect(registered.containerDefinitions?.[0].image).toBe(`${REPO("frontend")}:v2`);
  });

  test("creates a deployment in the service's CodeDeploy group with the AppSpec inline", () => {
    const input = h.codedeploy.commandCalls(CreateDeploymentCommand)[0].args[0].input;
    expect(input).toMatchObject({
      applicationName: "cd-frontend-test",
      deploymentGroupName: "dg-frontend-test",
      revision: { revisionType: "AppSpecContent" },
    });
    const spec = JSON.parse(input.revision!.appSpecContent!.content!);
    expect(spec.Resources[0].TargetService.Properties.TaskDefinition).toBe(TD_ARN("td-frontend-test", 5));
    expect(spec.Resources[0].TargetService.Properties.LoadBalancerInfo).toEqual({
      ContainerName: "app",
      ContainerPort: 8080,
    });
  });

  test("never updates the service itself (CodeDeploy owns it)", () => {
    expect(h.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  test("prints each changed status with the deployment overview counts, once", () => {
    const progress = h.lines.filter((l) => l.startsWith("deployment d-BLUEGREEN1"));
    expect(progress).toEqual([
      "deployment d-BLUEGREEN1: Unknown (pending 0, in progress 0, ready 0, succeeded 0, failed 0)",
      "deployment d-BLUEGREEN1: Created (pending 0, in progress 0, ready 0, succeeded 0, failed 0)",
      "deployment d-BLUEGREEN1: InProgress (pending 0, in progress 1, ready 0, succeeded 0, failed 0)",
      "deployment d-BLUEGREEN1: Succeeded (pending 0, in progress 0, ready 0, succeeded 1, failed 0)",
    ]);
  });

  test("waits the poll interval between polls", () => {
    expect(h.sleeps).toBe(4);
  });

  test("reports the deployment id and the new revision", () => {
    expect(outcome).toEqual({
      mode: "codedeploy",
      taskDefinitionArn: TD_ARN("td-frontend-test", 5),
      deploymentId: "d-BLUEGREEN1",
      firstRelease: false,
    });
  });
});

describe("web release that CodeDeploy rolls back", () => {
  let h: Harness;
  let error: Error;
  beforeAll(async () => {
    h = harness();
    h.ecs.on(DescribeServicesCommand).resolves(serviceState("svc-frontend-test", "CODE_DEPLOY"));
    h.codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-FAILED1" });
    h.codedeploy.on(GetDeploymentCommand, { deploymentId: "d-FAILED1" }).resolves({
      deploymentInfo: {
        deploymentId: "d-FAILED1",
        status: "Failed",
        errorInformation: { code: "ALARM_ACTIVE", message: "alarm alb-5xx-frontend-test is in ALARM" },
        rollbackInfo: { rollbackDeploymentId: "d-ROLLBACK1" },
      },
    });
    h.codedeploy
      .on(GetDeploymentCommand, { deploymentId: "d-ROLLBACK1" })
      .resolvesOnce({ deploymentInfo: { deploymentId: "d-ROLLBACK1", status: "InProgress" } })
      .resolves({ deploymentInfo: { deploymentId: "d-ROLLBACK1", status: "Succeeded" } });
    error = await release(h.rt, MANIFEST, { service: "frontend", imageTag: "v3" }).then(
      () => new Error("released"),
      (e: Error) => e,
    );
  });

  test("fails naming the cause, the rollback deployment and its result", () => {
    expect(error.message).toMatch(
      /frontend: deployment d-FAILED1 Failed \(ALARM_ACTIVE: alarm alb-5xx-frontend-test is in ALARM\); rolled back by d-ROLLBACK1: Succeeded/,
    );
  });

  test("follows the rollback deployment with progress lines", () => {
    expect(h.lines).toContain("rolling back: deployment d-ROLLBACK1");
    expect(h.lines.some((l) => l.startsWith("rollback d-ROLLBACK1: InProgress"))).toBe(true);
  });
});

test("web release fails when the deployment is stopped without a rollback", async () => {
  const h = harness();
  h.ecs.on(DescribeServicesCommand).resolves(serviceState("svc-frontend-test", "CODE_DEPLOY"));
  h.codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-STOP" });
  h.codedeploy.on(GetDeploymentCommand).resolves({
    deploymentInfo: {
      deploymentId: "d-STOP",
      status: "Stopped",
      rollbackInfo: { rollbackMessage: "stopped by user" },
    },
  });
  await expect(release(h.rt, MANIFEST, { service: "frontend", imageTag: "v3" })).rejects.toThrow(
    /deployment d-STOP Stopped \(stopped by user\); no rollback was started/,
  );
});

test("fails when a deployment outlasts the timeout, after a bounded number of polls", async () => {
  const h = harness(60_000);
  h.ecs.on(DescribeServicesCommand).resolves(serviceState("svc-frontend-test", "CODE_DEPLOY"));
  h.codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: "d-SLOW" });
  h.codedeploy
    .on(GetDeploymentCommand)
    .resolves({ deploymentInfo: { deploymentId: "d-SLOW", status: "InProgress" } });
  await expect(release(h.rt, MANIFEST, { service: "frontend", imageTag: "v3" })).rejects.toThrow(
    /timed out after 1 min waiting for CodeDeploy deployment d-SLOW \(last: deployment d-SLOW: InProgress/,
  );
  expect(h.sleeps).toBe(4);
});

test("fails before registering anything when the manifest says CodeDeploy but ECS controls the service", async () => {
  const h = harness();
  h.ecs.on(DescribeServicesCommand).resolves(serviceState("svc-frontend-test", "ECS"));
  await expect(release(h.rt, MANIFEST, { service: "frontend", imageTag: "v2" })).rejects.toThrow(
    /the manifest says CodeDeploy but ECS service svc-frontend-test uses the ECS deployment controller/,
  );
  expect(h.ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
});

test("fails when a rolling service is controlled by CodeDeploy", async () => {
  const h = harness();
  h.ecs.on(DescribeServicesCommand).resolves(serviceState("svc-processor-test", "CODE_DEPLOY"));
  await expect(release(h.rt, MANIFEST, { service: "processor", imageTag: "v2" })).rejects.toThrow(
    /uses the CODE_DEPLOY deployment controller but the manifest says rolling/,
  );
});

test("fails when the ECS service does not exist in the cluster", async () => {
  const h = harness();
  h.ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ reason: "MISSING" }] });
  await expect(release(h.rt, MANIFEST, { service: "processor", imageTag: "v2" })).rejects.toThrow(
    /ECS service svc-processor-test not found in cluster ecs-trading-test/,
  );
});

describe("backend release with a rolling deployment", () => {
  let h: Harness;
  let outcome: Awaited<ReturnType<typeof release>>;
  const newArn = TD_ARN("td-processor-test", 5);
  beforeAll(async () => {
    h = harness();
    const deployment = (rolloutState: string, running: number) => ({
      id: "ecs-svc/111",
      status: "PRIMARY",
      taskDefinition: newArn,
      rolloutState,
      desiredCount: 2,
      runningCount: running,
      pendingCount: 2 - running,
      failedTasks: 0,
    });
    h.ecs
      .on(DescribeServicesCommand)
      .resolvesOnce(serviceState("svc-processor-test", "ECS"))
      .resolvesOnce(serviceState("svc-processor-test", "ECS", [deployment("IN_PROGRESS", 0)]))
      .resolvesOnce(serviceState("svc-processor-test", "ECS", [deployment("IN_PROGRESS", 1)]))
      .resolves(serviceState("svc-processor-test", "ECS", [deployment("COMPLETED", 2)]));
    h.ecs.on(UpdateServiceCommand).resolves({
      service: {
        deployments: [
          { id: "ecs-svc/111", status: "PRIMARY", taskDefinition: newArn },
          { id: "ecs-svc/000", status: "ACTIVE", taskDefinition: TD_ARN("td-processor-test", 4) },
        ],
      },
    });
    outcome = await release(h.rt, MANIFEST, { service: "processor", imageTag: "v2" });
  });

  test("points the service at the new revision", () => {
    expect(h.ecs.commandCalls(UpdateServiceCommand)[0].args[0].input).toEqual({
      cluster: "ecs-trading-test",
      service: "svc-processor-test",
      taskDefinition: newArn,
      desiredCount: undefined,
    });
  });

  test("starts no CodeDeploy deployment", () => {
    expect(h.codedeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  test("prints rollout progress of the deployment it started until COMPLETED", () => {
    expect(h.lines.filter((l) => l.startsWith("deployment ecs-svc/111"))).toEqual([
      "deployment ecs-svc/111: IN_PROGRESS (running 0/2, pending 2, failed tasks 0)",
      "deployment ecs-svc/111: IN_PROGRESS (running 1/2, pending 1, failed tasks 0)",
      "deployment ecs-svc/111: COMPLETED (running 2/2, pending 0, failed tasks 0)",
    ]);
  });

  test("reports the ECS deployment id", () => {
    expect(outcome).toEqual({
      mode: "rolling",
      taskDefinitionArn: newArn,
      deploymentId: "ecs-svc/111",
      firstRelease: false,
    });
  });
});

describe("backend release that the circuit breaker stops", () => {
  function started(h: Harness) {
    h.ecs
      .on(UpdateServiceCommand)
      .resolves({ service: { deployments: [{ id: "ecs-svc/222", status: "PRIMARY" }] } });
  }

  test("fails with the circuit breaker's reason when the rollout FAILED", async () => {
    const h = harness();
    started(h);
    h.ecs
      .on(DescribeServicesCommand)
      .resolvesOnce(serviceState("svc-processor-test", "ECS"))
      .resolves(
        serviceState("svc-processor-test", "ECS", [
          {
            id: "ecs-svc/222",
            status: "PRIMARY",
            rolloutState: "FAILED",
            rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
            failedTasks: 3,
          },
        ]),
      );
    await expect(release(h.rt, MANIFEST, { service: "processor", imageTag: "bad" })).rejects.toThrow(
      /svc-processor-test: deployment ecs-svc\/222 FAILED \(ECS deployment circuit breaker: tasks failed to start\.\)/,
    );
  });

  test("fails when its deployment was replaced by a rollback to the old revision", async () => {
    const h = harness();
    started(h);
    h.ecs
      .on(DescribeServicesCommand)
      .resolvesOnce(serviceState("svc-processor-test", "ECS"))
      .resolves(
        serviceState("svc-processor-test", "ECS", [
          { id: "ecs-svc/333", status: "PRIMARY", taskDefinition: TD_ARN("td-processor-test", 4) },
        ]),
      );
    await expect(release(h.rt, MANIFEST, { service: "processor", imageTag: "bad" })).rejects.toThrow(
      /deployment ecs-svc\/222 was replaced by ecs-svc\/333 \(task definition .*td-processor-test:4\): rolled back or superseded/,
    );
  });
});

test("backend release without a circuit breaker succeeds on steady state", async () => {
  const h = harness();
  h.ecs
    .on(UpdateServiceCommand)
    .resolves({ service: { deployments: [{ id: "ecs-svc/444", status: "PRIMARY" }] } });
  h.ecs
    .on(DescribeServicesCommand)
    .resolvesOnce(serviceState("svc-processor-test", "ECS"))
    .resolves(
      serviceState("svc-processor-test", "ECS", [
        { id: "ecs-svc/444", status: "PRIMARY", desiredCount: 2, runningCount: 2 },
      ]),
    );
  await expect(release(h.rt, MANIFEST, { service: "processor", imageTag: "v2" })).resolves.toMatchObject({
    deploymentId: "ecs-svc/444",
  });
  expect(h.lines.at(-2)).toMatch(/steady state \(no circuit breaker on this service\)/);
});

describe("scheduled job release", () => {
  let h: Harness;
  beforeAll(async () => {
    h = harness();
    await release(h.rt, MANIFEST, { service: "report", imageTag: "v7" });
  });

  test("registers a revision with the new image", () => {
    const registered = h.ecs.commandCalls(RegisterTaskDefinitionCommand)[0].args[0].input;
    expect(registered.family).toBe("td-report-test");
    expect(registered.containerDefinitions?.[0].image).toBe(`${REPO("report")}:v7`);
  });

  test("deploys nothing (the schedule starts the family's latest revision)", () => {
    expect(h.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(h.ecs.commandCalls(DescribeServicesCommand)).toHaveLength(0);
    expect(h.codedeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });
});

describe("AWS setup errors", () => {
  test("fails with how to configure credentials when none are found", async () => {
    const h = harness();
    const missing = Object.assign(new Error("Could not load credentials from any providers"), {
      name: "CredentialsProviderError",
    });
    h.ecs.on(DescribeServicesCommand).rejects(missing);
    await expect(release(h.rt, MANIFEST, { service: "processor", imageTag: "v2" })).rejects.toThrow(
      /no AWS credentials found[\s\S]*aws sso login[\s\S]*configure-aws-credentials/,
    );
  });

  test("fails with how to set a region when none is configured", async () => {
    const h = harness();
    h.ecs.on(DescribeServicesCommand).rejects(new Error("Region is missing"));
    await expect(release(h.rt, MANIFEST, { service: "processor", imageTag: "v2" })).rejects.toThrow(
      /no AWS region: pass --region <region> or set AWS_REGION/,
    );
  });

  test("fails with how to refresh expired credentials", async () => {
    const h = harness();
    h.ecs.on(DescribeServicesCommand).rejects(
      Object.assign(new Error("The security token included in the request is expired"), {
        name: "ExpiredTokenException",
      }),
    );
    await expect(release(h.rt, MANIFEST, { service: "processor", imageTag: "v2" })).rejects.toThrow(
      /AWS credentials are expired or invalid/,
    );
  });

  test("passes other AWS errors through unchanged", async () => {
    const h = harness();
    const denied = Object.assign(new Error("not authorized to perform: ecs:DescribeServices"), {
      name: "AccessDeniedException",
    });
    h.ecs.on(DescribeServicesCommand).rejects(denied);
    await expect(release(h.rt, MANIFEST, { service: "processor", imageTag: "v2" })).rejects.toMatchObject({
      name: "AccessDeniedException",
    });
  });
});

test("fails for an unknown service, listing the known ones", async () => {
  await expect(release(harness().rt, MANIFEST, { service: "nope", imageTag: "v1" })).rejects.toThrow(
    /unknown service "nope": the platform has frontend, payments, processor, report/,
  );
});
