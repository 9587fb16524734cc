/**
 * Mocked AWS clients and fixtures for the release CLI's tests: a manifest of a CodeDeploy web
 * service, a rolling backend, an ECS-native blue/green web service and a scheduled job; described task definitions and services.
 */
import { mockClient } from "aws-sdk-client-mock";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { CodeDeployClient, ListDeploymentsCommand } from "@aws-sdk/client-codedeploy";
import { DescribeImagesCommand, ECRClient } from "@aws-sdk/client-ecr";
import { GetParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import { GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from "@aws-sdk/client-scheduler";
import type { ReleaseManifest } from "../../modules/contracts";
import type { ReleaseRuntime } from "../../scripts/release/runtime";

export const ACCOUNT = "123456789012";
export const REPO = (name: string) => `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${name}-test`;
export const TD_ARN = (family: string, revision: number) =>
  `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${family}:${revision}`;

export const PARAM = (service: string) => `/trading/test/release/${service}/image`;

export const MANIFEST: ReleaseManifest = {
  frontend: {
    kind: "web",
    clusterName: "ecs-trading-test",
    serviceName: "svc-frontend-test",
    taskDefinitionFamily: "td-frontend-test",
    containerName: "app",
    containerPort: 8080,
    repositoryUrl: REPO("frontend"),
    imageParameterName: PARAM("frontend"),
    codedeployApplication: "cd-frontend-test",
    codedeployDeploymentGroup: "dg-frontend-test",
    counts: { desired: 3, min: 2, max: 6 },
  },
  processor: {
    kind: "backend",
    clusterName: "ecs-trading-test",
    serviceName: "svc-processor-test",
    taskDefinitionFamily: "td-processor-test",
    containerName: "app",
    containerPort: 8080,
    repositoryUrl: REPO("processor"),
    imageParameterName: PARAM("processor"),
    counts: { desired: 2, min: 1, max: 4 },
  },
  payments: {
    kind: "web",
    clusterName: "ecs-trading-test",
    serviceName: "svc-payments-test",
    taskDefinitionFamily: "td-payments-test",
    containerName: "app",
    containerPort: 8080,
    repositoryUrl: REPO("payments"),
    imageParameterName: PARAM("payments"),
    strategy: "ecs-blue-green",
    bakeTimeMinutes: 10,
    counts: { desired: 2, min: 2, max: 10 },
  },
  report: {
    kind: "scheduled",
    clusterName: "ecs-trading-test",
    taskDefinitionFamily: "td-report-test",
    containerName: "app",
    containerPort: 8080,
    repositoryUrl: REPO("report"),
    imageParameterName: PARAM("report"),
    schedule: { name: "schedule-report-test", group: "schedules-report-test" },
  },
};

/** What DescribeTaskDefinition returns for a family: an app container and a tracing sidecar. */
export function described(family: string, revision = 4) {
  return {
    taskDefinition: {
      taskDefinitionArn: TD_ARN(family, revision),
      family,
      revision,
      status: "ACTIVE" as const,
      taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/task-${family}`,
      executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/exec-${family}`,
      networkMode: "awsvpc" as const,
      cpu: "512",
      memory: "1024",
      requiresCompatibilities: ["FARGATE" as const],
      compatibilities: ["EC2" as const, "FARGATE" as const],
      requiresAttributes: [{ name: "com.amazonaws.ecs.capability.logging-driver.awslogs" }],
      registeredAt: new Date("2026-11-20T10:00:00Z"),
      registeredBy: `arn:aws:iam::${ACCOUNT}:role/deployer`,
      containerDefinitions: [
        {
          name: "app",
          image: `${REPO(family)}:v1`,
          essential: true,
          portMappings: [{ containerPort: 8080 }],
        },
        { name: "xray-daemon", image: "public.ecr.aws/xray/aws-xray-daemon:3.3.14", essential: false },
      ],
    },
    tags: [{ key: "Team", value: "platform" }],
  };
}

export interface Harness {
  readonly rt: ReleaseRuntime;
  readonly ecs: AwsClientStub<ECSClient>;
  readonly codedeploy: AwsClientStub<CodeDeployClient>;
  readonly ecr: AwsClientStub<ECRClient>;
  readonly ssm: AwsClientStub<SSMClient>;
  readonly autoscaling: AwsClientStub<ApplicationAutoScalingClient>;
  readonly scheduler: AwsClientStub<SchedulerClient>;
  readonly lines: string[];
  /** The release records as SSM holds them (written by PutParameter), by parameter name. */
  readonly records: Map<string, string>;
  /** What a record holds before anything writes it. @default `<repo>:v1` (released before) */
  recordBefore: (service: string) => string;
  sleeps: number;
}

/**
 * Mocked clients: the record of every service holds `<repo>:v1` (released before), no
 * deployment runs, and scaling and parameter writes succeed. `abort` aborts the runtime's signal.
 */
export function harness(timeoutMs = 10 * 60_000, abort?: AbortController): Harness {
  const ecsClient = new ECSClient({ region: "us-east-1" });
  const cdClient = new CodeDeployClient({ region: "us-east-1" });
  const ecrClient = new ECRClient({ region: "us-east-1" });
  const ssmClient = new SSMClient({ region: "us-east-1" });
  const aasClient = new ApplicationAutoScalingClient({ region: "us-east-1" });
  const schedulerClient = new SchedulerClient({ region: "us-east-1" });
  const lines: string[] = [];
  let clock = 0;
  const h: Harness = {
    ecs: mockClient(ecsClient),
    codedeploy: mockClient(cdClient),
    ecr: mockClient(ecrClient),
    ssm: mockClient(ssmClient),
    autoscaling: mockClient(aasClient),
    scheduler: mockClient(schedulerClient),
    lines,
    records: new Map(),
    recordBefore: (service) => `${REPO(service)}:v1`,
    sleeps: 0,
    rt: {
      ecs: ecsClient,
      codedeploy: cdClient,
      ecr: ecrClient,
      ssm: ssmClient,
      autoscaling: aasClient,
      scheduler: schedulerClient,
      signal: abort?.signal,
      log: (line) => lines.push(line),
      sleep: async (ms) => {
        clock += ms;
        h.sleeps++;
      },
      now: () => clock,
      pollIntervalMs: 15_000,
      timeoutMs,
    },
  };
  h.ssm.on(GetParameterCommand).callsFake((input: { Name: string }) => ({
    Parameter: {
      Name: input.Name,
      Value: h.records.get(input.Name) ?? h.recordBefore(input.Name.split("/")[4]),
    },
  }));
  h.ssm.on(PutParameterCommand).callsFake((input: { Name: string; Value: string }) => {
    h.records.set(input.Name, input.Value);
    return { Version: 2 };
  });
  h.codedeploy.on(ListDeploymentsCommand).resolves({ deployments: [] });
  h.autoscaling.on(RegisterScalableTargetCommand).resolves({});
  h.autoscaling.on(DescribeScalableTargetsCommand).resolves({ ScalableTargets: [] });
  h.ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageTags: ["found"] }] });
  h.scheduler.on(GetScheduleCommand).resolves({ State: "ENABLED" });
  h.scheduler.on(UpdateScheduleCommand).resolves({});
  h.ecs.on(DescribeTaskDefinitionCommand).callsFake((input) => described(input.taskDefinition));
  h.ecs.on(RegisterTaskDefinitionCommand).callsFake((input) => ({
    taskDefinition: { ...input, taskDefinitionArn: TD_ARN(input.family, 5), revision: 5 },
  }));
  return h;
}

export function serviceState(name: string, controller: "ECS" | "CODE_DEPLOY", deployments: object[] = []) {
  return {
    services: [
      {
        serviceName: name,
        status: "ACTIVE",
        deploymentController: { type: controller },
        capacityProviderStrategy: [{ capacityProvider: "FARGATE_SPOT", base: 2, weight: 1 }],
        deployments,
      },
    ],
  };
}
