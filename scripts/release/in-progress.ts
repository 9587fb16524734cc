/**
 * A release refuses to start while another deployment of the service runs: it would register a
 * revision and record an image that the running deployment then races (CodeDeploy rejects a
 * second deployment of a group anyway, but only after the revision exists).
 */
import { ListDeploymentsCommand } from "@aws-sdk/client-codedeploy";
import type { Service } from "@aws-sdk/client-ecs";
import type { ReleaseManifestEntry } from "../../modules/contracts";
import { unfinishedServiceDeployments } from "./ecs-blue-green";
import { DeploymentInProgressError } from "./errors";
import type { ReleaseRuntime } from "./runtime";

/** CodeDeploy statuses of a deployment that has not reached its verdict. */
export const UNFINISHED_CODEDEPLOY_STATUSES = ["Created", "Queued", "InProgress", "Baking", "Ready"] as const;

export async function assertNoDeploymentInProgress(
  rt: ReleaseRuntime,
  service: string,
  entry: ReleaseManifestEntry,
  ecsService: Service | undefined,
): Promise<void> {
  if (entry.codedeployApplication && entry.codedeployDeploymentGroup) {
    const listed = await rt.codedeploy.send(
      new ListDeploymentsCommand({
        applicationName: entry.codedeployApplication,
        deploymentGroupName: entry.codedeployDeploymentGroup,
        includeOnlyStatuses: [...UNFINISHED_CODEDEPLOY_STATUSES],
      }),
    );
    const running = listed.deployments ?? [];
    if (running.length > 0) {
      throw new DeploymentInProgressError(
        `${service}: CodeDeploy deployment ${running.join(", ")} of ${entry.codedeployDeploymentGroup} is still running; ` +
          "nothing was registered or recorded. Wait for it (or stop it in CodeDeploy) and release again",
      );
    }
    return;
  }
  if (!ecsService) return;
  if (entry.strategy === "ecs-blue-green" && entry.serviceName) {
    // A blue/green deployment is unfinished through its bake time and clean-up too.
    const running = await unfinishedServiceDeployments(rt, entry.clusterName, entry.serviceName);
    if (running.length > 0) {
      throw new DeploymentInProgressError(
        `${service}: ECS blue/green deployment ${running.join(", ")} of ${ecsService.serviceName} has not finished ` +
          "(deploying, baking or rolling back); nothing was registered or recorded. Wait for it, then release again",
      );
    }
  }
  const deployments = ecsService.deployments ?? [];
  const unfinished = deployments.filter((d) => d.status !== "PRIMARY" || d.rolloutState === "IN_PROGRESS");
  if (unfinished.length > 0) {
    const primary = deployments.find((d) => d.status === "PRIMARY");
    throw new DeploymentInProgressError(
      `${service}: ECS deployment ${primary?.id ?? unfinished[0].id} of ${ecsService.serviceName} is still in progress ` +
        `(${deployments.length} deployments, task definition ${primary?.taskDefinition ?? "unknown"}); ` +
        "nothing was registered or recorded. Wait for it to complete or roll back, then release again",
    );
  }
}
