/**
 * Release of an ECS-native blue/green service (deployment controller ECS, strategy BLUE_GREEN,
 * CANARY or LINEAR): UpdateService with the new revision starts a service deployment, which
 * ECS runs through its lifecycle stages (green scales up, test traffic, production shift, bake
 * time, clean-up). The deployment is followed through ListServiceDeployments /
 * DescribeServiceDeployments (ECS API, service deployments), which report its status, the stage
 * it is in and a rollback, the way CodeDeploy's GetDeployment does for CodeDeploy services.
 *
 * Dynamic scaling is not suspended: ECS owns both revisions' task counts (no task set runs
 * outside the service's desired count, unlike CodeDeploy's blue task set), and Application Auto
 * Scaling already holds scale-in while an ECS deployment runs (ECS developer guide,
 * "Troubleshooting service auto scaling in Amazon ECS").
 */
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  ListServiceDeploymentsCommand,
  ServiceDeployment,
  ServiceDeploymentStatus,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import { ReleaseError } from "./errors";
import { pollUntil, ReleaseRuntime } from "./runtime";

/** Service deployment statuses before a verdict (a rollback is followed to its end). */
export const UNFINISHED_SERVICE_DEPLOYMENT_STATUSES: ServiceDeploymentStatus[] = [
  "PENDING",
  "IN_PROGRESS",
  "STOP_REQUESTED",
  "ROLLBACK_REQUESTED",
  "ROLLBACK_IN_PROGRESS",
];

function progressLine(d: ServiceDeployment): string {
  const green = d.targetServiceRevision;
  const counts = green
    ? ` (new revision running ${green.runningTaskCount ?? 0}/${green.requestedTaskCount ?? 0}, pending ${green.pendingTaskCount ?? 0})`
    : "";
  const rollback = d.rollback ? `, rolling back: ${d.rollback.reason ?? "no reason given"}` : "";
  return `service deployment ${shortId(d.serviceDeploymentArn)}: ${d.status ?? "PENDING"} at ${d.lifecycleStage ?? "-"}${counts}${rollback}`;
}

const shortId = (arn?: string) => arn?.split("/").pop() ?? "unknown";

/** The service deployment that moves `service` to `taskDefinitionArn` (newest first). */
async function findDeployment(
  rt: ReleaseRuntime,
  cluster: string,
  service: string,
  taskDefinitionArn: string,
): Promise<string | undefined> {
  const listed = await rt.ecs.send(new ListServiceDeploymentsCommand({ cluster, service }));
  const briefs = [...(listed.serviceDeployments ?? [])].sort(
    (a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0),
  );
  for (const brief of briefs) {
    if (!brief.targetServiceRevisionArn || !brief.serviceDeploymentArn) continue;
    const revisions = await rt.ecs.send(
      new DescribeServiceRevisionsCommand({ serviceRevisionArns: [brief.targetServiceRevisionArn] }),
    );
    if (revisions.serviceRevisions?.[0]?.taskDefinition === taskDefinitionArn)
      return brief.serviceDeploymentArn;
  }
  return undefined;
}

export async function deployEcsBlueGreen(
  rt: ReleaseRuntime,
  cluster: string,
  service: string,
  taskDefinitionArn: string,
  /** Minutes of bake time configured (printed; ECS enforces it). */
  bakeTimeMinutes: number | undefined,
  /** Tasks to run from now on (the first release leaves the bootstrap's 0). @default unchanged */
  desiredCount?: number,
): Promise<{ deploymentId: string }> {
  await rt.ecs.send(
    new UpdateServiceCommand({ cluster, service, taskDefinition: taskDefinitionArn, desiredCount }),
  );
  rt.log(
    `updated ${service} to ${taskDefinitionArn}: ECS starts a blue/green deployment` +
      (bakeTimeMinutes !== undefined ? ` (bake time ${bakeTimeMinutes} min after the production shift)` : ""),
  );

  const arn = await pollUntil(rt, `the service deployment of ${service}`, async () => {
    const found = await findDeployment(rt, cluster, service, taskDefinitionArn);
    return found
      ? { done: true, value: found }
      : { done: false, progress: `waiting for ECS to start the deployment of ${service}` };
  });
  rt.log(`following service deployment ${arn}`);

  let baking = false;
  return pollUntil(rt, `service deployment ${shortId(arn)}`, async () => {
    const described = await rt.ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }),
    );
    const d = described.serviceDeployments?.[0];
    if (!d) throw new ReleaseError(`${service}: service deployment ${arn} not found`);
    if (d.lifecycleStage === "BAKE_TIME" && !baking) {
      baking = true;
      rt.log(
        `${service}: production traffic is on the new revision; baking (the alarms can still roll back)`,
      );
    }
    switch (d.status) {
      case "SUCCESSFUL":
        rt.log(progressLine(d));
        return { done: true, value: { deploymentId: arn } };
      case "ROLLBACK_SUCCESSFUL":
      case "ROLLBACK_FAILED":
      case "STOPPED":
        rt.log(progressLine(d));
        throw new ReleaseError(
          `${service}: service deployment ${shortId(arn)} ended ${d.status}` +
            ` (${d.rollback?.reason ?? d.statusReason ?? "no reason given"}); ` +
            (d.status === "ROLLBACK_FAILED"
              ? "the rollback failed: check the service in the ECS console"
              : "production stays on the previous revision"),
        );
      default:
        return { done: false, progress: progressLine(d) };
    }
  });
}

/** Unfinished service deployments of an ECS service (any strategy), newest first. */
export async function unfinishedServiceDeployments(
  rt: ReleaseRuntime,
  cluster: string,
  service: string,
): Promise<string[]> {
  const listed = await rt.ecs.send(
    new ListServiceDeploymentsCommand({ cluster, service, status: UNFINISHED_SERVICE_DEPLOYMENT_STATUSES }),
  );
  return (listed.serviceDeployments ?? []).map((d) => d.serviceDeploymentArn ?? "unknown");
}
