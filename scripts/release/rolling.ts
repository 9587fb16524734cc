/**
 * Rolling release of an ECS-controlled service (`backend`, `worker`, or `web` with the rolling
 * strategy): point the service at the new revision and wait for the deployment circuit
 * breaker's verdict on exactly the deployment we started.
 */
import { Deployment, DescribeServicesCommand, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import { ReleaseError } from "./errors";
import { pollUntil, ReleaseRuntime } from "./runtime";

function progressLine(d: Deployment): string {
  return (
    `deployment ${d.id}: ${d.rolloutState ?? "IN_PROGRESS"} (running ${d.runningCount ?? 0}/${d.desiredCount ?? 0}, ` +
    `pending ${d.pendingCount ?? 0}, failed tasks ${d.failedTasks ?? 0})`
  );
}

export async function deployRolling(
  rt: ReleaseRuntime,
  cluster: string,
  service: string,
  taskDefinitionArn: string,
  /** Tasks to run from now on (the first release leaves the bootstrap's 0). @default unchanged */
  desiredCount?: number,
): Promise<{ deploymentId: string }> {
  const updated = await rt.ecs.send(
    new UpdateServiceCommand({ cluster, service, taskDefinition: taskDefinitionArn, desiredCount }),
  );
  const started = updated.service?.deployments?.find((d) => d.status === "PRIMARY");
  if (!started?.id) throw new ReleaseError(`UpdateService returned no PRIMARY deployment for ${service}`);
  const deploymentId = started.id;
  rt.log(`started ECS deployment ${deploymentId} of ${service}`);

  return pollUntil(rt, `ECS deployment ${deploymentId}`, async () => {
    const described = await rt.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
    const deployments = described.services?.[0]?.deployments ?? [];
    const ours = deployments.find((d) => d.id === deploymentId);
    if (!ours) {
      // After a circuit-breaker rollback ECS replaces our deployment with one on the old revision.
      const primary = deployments.find((d) => d.status === "PRIMARY");
      throw new ReleaseError(
        `${service}: deployment ${deploymentId} was replaced by ${primary?.id ?? "another deployment"} ` +
          `(task definition ${primary?.taskDefinition ?? "unknown"}): rolled back or superseded`,
      );
    }
    if (ours.rolloutState === "COMPLETED") {
      rt.log(progressLine(ours));
      return { done: true, value: { deploymentId } };
    }
    if (ours.rolloutState === "FAILED") {
      rt.log(progressLine(ours));
      throw new ReleaseError(
        `${service}: deployment ${deploymentId} FAILED (${ours.rolloutStateReason ?? "no reason given"}); ` +
          "the circuit breaker rolls the service back to the previous revision",
      );
    }
    // rolloutState is only set with the circuit breaker on; without it, steady state is the verdict.
    if (
      ours.rolloutState === undefined &&
      deployments.length === 1 &&
      (ours.runningCount ?? 0) === (ours.desiredCount ?? -1)
    ) {
      rt.log(`${progressLine(ours)} - steady state (no circuit breaker on this service)`);
      return { done: true, value: { deploymentId } };
    }
    return { done: false, progress: progressLine(ours) };
  });
}
