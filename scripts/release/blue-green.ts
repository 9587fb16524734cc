/**
 * Blue/green release of a `web` service through CodeDeploy: the AppSpec names the new task
 * definition, CodeDeploy starts the green task set, shifts traffic per the deployment group's
 * config and rolls back on failure or on the group's alarms. We follow it to the verdict.
 */
import { CreateDeploymentCommand, DeploymentInfo, GetDeploymentCommand } from "@aws-sdk/client-codedeploy";
import { CapacityProviderStrategyItem } from "@aws-sdk/client-ecs";
import type { ReleaseManifestEntry } from "../../modules/contracts";
import { ReleaseError } from "./errors";
import { pollUntil, ReleaseRuntime } from "./runtime";

export interface AppSpecInput {
  readonly taskDefinitionArn: string;
  readonly containerName: string;
  readonly containerPort: number;
  /**
   * The service's own strategy. Without it CodeDeploy's replacement task set falls back to the
   * cluster default, which differs for services with their own (e.g. Spot-only) strategy.
   */
  readonly capacityProviderStrategy?: CapacityProviderStrategyItem[];
}

/**
 * AppSpec for an ECS deployment, sent inline as JSON. `version` is the string "0.0" (as
 * cdklabs/cdk-ecs-codedeploy renders it): JSON.stringify would turn the number 0.0 into `0`.
 */
export function appSpec(input: AppSpecInput): string {
  const properties: Record<string, unknown> = {
    TaskDefinition: input.taskDefinitionArn,
    LoadBalancerInfo: { ContainerName: input.containerName, ContainerPort: input.containerPort },
  };
  if (input.capacityProviderStrategy && input.capacityProviderStrategy.length > 0) {
    properties.CapacityProviderStrategy = input.capacityProviderStrategy.map((s) => ({
      CapacityProvider: s.capacityProvider,
      Base: s.base ?? 0,
      Weight: s.weight ?? 0,
    }));
  }
  return JSON.stringify({
    version: "0.0",
    Resources: [{ TargetService: { Type: "AWS::ECS::Service", Properties: properties } }],
  });
}

const TERMINAL = new Set(["Succeeded", "Failed", "Stopped"]);

export function progressLine(label: string, info: DeploymentInfo): string {
  const o = info.deploymentOverview ?? {};
  const counts = `pending ${o.Pending ?? 0}, in progress ${o.InProgress ?? 0}, ready ${o.Ready ?? 0}, succeeded ${o.Succeeded ?? 0}, failed ${o.Failed ?? 0}`;
  const messages = info.deploymentStatusMessages?.length
    ? ` - ${info.deploymentStatusMessages.join("; ")}`
    : "";
  return `${label} ${info.deploymentId}: ${info.status ?? "Unknown"} (${counts})${messages}`;
}

async function follow(rt: ReleaseRuntime, label: string, deploymentId: string): Promise<DeploymentInfo> {
  return pollUntil(rt, `CodeDeploy deployment ${deploymentId}`, async () => {
    const info = (await rt.codedeploy.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo ?? {
      deploymentId,
    };
    if (info.status && TERMINAL.has(info.status)) {
      rt.log(progressLine(label, info));
      return { done: true, value: info };
    }
    return { done: false, progress: progressLine(label, info) };
  });
}

export interface BlueGreenResult {
  readonly deploymentId: string;
}

export async function deployBlueGreen(
  rt: ReleaseRuntime,
  service: string,
  entry: ReleaseManifestEntry,
  spec: AppSpecInput,
  description: string,
): Promise<BlueGreenResult> {
  const created = await rt.codedeploy.send(
    new CreateDeploymentCommand({
      applicationName: entry.codedeployApplication,
      deploymentGroupName: entry.codedeployDeploymentGroup,
      description,
      revision: { revisionType: "AppSpecContent", appSpecContent: { content: appSpec(spec) } },
    }),
  );
  const deploymentId = created.deploymentId;
  if (!deploymentId) throw new ReleaseError(`CreateDeployment returned no deployment id for ${service}`);
  rt.log(
    `started CodeDeploy deployment ${deploymentId} (${entry.codedeployApplication}/${entry.codedeployDeploymentGroup})`,
  );

  const info = await follow(rt, "deployment", deploymentId);
  if (info.status === "Succeeded") return { deploymentId };

  const cause = info.errorInformation
    ? `${info.errorInformation.code}: ${info.errorInformation.message}`
    : (info.rollbackInfo?.rollbackMessage ?? "no error information");
  const rollbackId = info.rollbackInfo?.rollbackDeploymentId;
  if (!rollbackId) {
    throw new ReleaseError(
      `${service}: deployment ${deploymentId} ${info.status} (${cause}); no rollback was started`,
    );
  }
  // Follow the rollback so the operator learns whether blue is serving again.
  rt.log(`rolling back: deployment ${rollbackId}`);
  const rollback = await follow(rt, "rollback", rollbackId);
  throw new ReleaseError(
    `${service}: deployment ${deploymentId} ${info.status} (${cause}); rolled back by ${rollbackId}: ${rollback.status}`,
  );
}
