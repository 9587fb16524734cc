/**
 * One release: register a revision with the new image, then deploy it the way the service's
 * kind and strategy demand. Pure orchestration over injected clients (see runtime.ts).
 */
import { DescribeServicesCommand, Service } from "@aws-sdk/client-ecs";
import type { ReleaseManifest, ReleaseManifestEntry } from "../../modules/contracts";
import { deployBlueGreen } from "./blue-green";
import { explainAwsError, ReleaseError } from "./errors";
import { serviceEntry } from "./manifest";
import { deployRolling } from "./rolling";
import { ReleaseRuntime } from "./runtime";
import { registerRevision } from "./task-definition";

export interface ReleaseRequest {
  readonly service: string;
  readonly imageTag: string;
}

export type ReleaseMode = "codedeploy" | "rolling" | "register-only";

export interface ReleaseOutcome {
  readonly mode: ReleaseMode;
  readonly taskDefinitionArn: string;
  readonly deploymentId?: string;
}

/** How an entry is released: its manifest says whether CodeDeploy owns the service. */
export function releaseMode(service: string, entry: ReleaseManifestEntry): ReleaseMode {
  if (entry.kind === "scheduled") return "register-only";
  if (!entry.serviceName) {
    throw new ReleaseError(
      `${service}: the release manifest has no serviceName for this ${entry.kind} service`,
    );
  }
  if (entry.codedeployApplication || entry.codedeployDeploymentGroup) {
    if (!entry.codedeployApplication || !entry.codedeployDeploymentGroup) {
      throw new ReleaseError(
        `${service}: the release manifest names only one of codedeployApplication/codedeployDeploymentGroup`,
      );
    }
    return "codedeploy";
  }
  return "rolling";
}

async function describeService(rt: ReleaseRuntime, cluster: string, service: string): Promise<Service> {
  const described = await rt.ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const found = described.services?.find((s) => s.status !== "INACTIVE");
  if (!found)
    throw new ReleaseError(
      `ECS service ${service} not found in cluster ${cluster} (is the platform deployed?)`,
    );
  return found;
}

export async function release(
  rt: ReleaseRuntime,
  manifest: ReleaseManifest,
  request: ReleaseRequest,
): Promise<ReleaseOutcome> {
  const entry = serviceEntry(manifest, request.service);
  const mode = releaseMode(request.service, entry);
  try {
    // Check the service before registering anything, so a wrong environment leaves no revision behind.
    const service =
      mode === "register-only" ? undefined : await describeService(rt, entry.clusterName, entry.serviceName!);
    const controller = service?.deploymentController?.type ?? "ECS";
    if (mode === "codedeploy" && controller !== "CODE_DEPLOY") {
      throw new ReleaseError(
        `${request.service}: the manifest says CodeDeploy but ECS service ${entry.serviceName} uses the ${controller} deployment controller; re-read the manifest`,
      );
    }
    if (mode === "rolling" && controller !== "ECS") {
      throw new ReleaseError(
        `${request.service}: ECS service ${entry.serviceName} uses the ${controller} deployment controller but the manifest has no CodeDeploy group`,
      );
    }

    const revision = await registerRevision(rt.ecs, entry, request.imageTag);
    rt.log(`registered ${revision.arn} (image ${revision.image}; was ${revision.previousArn})`);

    if (mode === "register-only") {
      // No ECS service to update: the schedule starts the revision its target names, so it runs
      // this one only when it targets the family without a revision (the latest ACTIVE one).
      rt.log(
        `${request.service} is a scheduled job: registered only; schedules targeting family ${entry.taskDefinitionFamily} (no revision) run it from the next run`,
      );
      return { mode, taskDefinitionArn: revision.arn };
    }
    if (mode === "codedeploy") {
      const { deploymentId } = await deployBlueGreen(
        rt,
        request.service,
        entry,
        {
          taskDefinitionArn: revision.arn,
          containerName: entry.containerName,
          containerPort: entry.containerPort,
          capacityProviderStrategy: service?.capacityProviderStrategy,
        },
        `release ${request.service} ${request.imageTag}`,
      );
      rt.log(`${request.service}: released ${request.imageTag} (CodeDeploy ${deploymentId} succeeded)`);
      return { mode, taskDefinitionArn: revision.arn, deploymentId };
    }
    const { deploymentId } = await deployRolling(rt, entry.clusterName, entry.serviceName!, revision.arn);
    rt.log(`${request.service}: released ${request.imageTag} (ECS deployment ${deploymentId} completed)`);
    return { mode, taskDefinitionArn: revision.arn, deploymentId };
  } catch (error) {
    throw explainAwsError(error);
  }
}
