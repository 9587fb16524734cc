/**
 * One release: record the image, register a revision with it, then deploy it the way the
 * service's kind and strategy demand. Pure orchestration over injected clients (runtime.ts).
 *
 * Order, and why:
 * 1. Check the ECS service and that no other deployment of it runs: a refusal leaves nothing
 *    behind (no revision, no record).
 * 2. Write the release record (SSM) first: from then on every revision Terraform registers
 *    uses this image too, so an apply during the release cannot bring the old one back.
 * 3. Register the revision and deploy: a CodeDeploy deployment (dynamic scaling suspended,
 *    resumed whatever happens: success, failure, rollback, Ctrl-C), or UpdateService followed as
 *    an ECS-native blue/green service deployment (bake time, rollback) or a rolling deployment.
 * 4. The first release of a service (its record held the bootstrap reference) also leaves the
 *    bootstrap: the service goes from 0 tasks to its desired count and autoscaling gets its
 *    configured minimum and maximum; a scheduled job's schedule is enabled.
 * 5. A release that fails or rolls back restores the previous record, so the record always
 *    names what runs. Interrupted after a deployment started, the record keeps the new image:
 *    the deployment carries on in AWS.
 */
import { DescribeServicesCommand, Service, UpdateServiceCommand } from "@aws-sdk/client-ecs";
import type { ReleaseManifest, ReleaseManifestEntry } from "../../modules/contracts";
import { deployBlueGreen } from "./blue-green";
import { explainAwsError, InterruptedError, ReleaseError, WaitTimeoutError } from "./errors";
import { assertImageExists } from "./image-exists";
import { assertNoDeploymentInProgress } from "./in-progress";
import { serviceEntry } from "./manifest";
import { isBootstrapImage, readRecord, writeRecord } from "./record";
import { deployEcsBlueGreen } from "./ecs-blue-green";
import { deployRolling } from "./rolling";
import { pollUntil, ReleaseRuntime } from "./runtime";
import { resumeDynamicScaling, suspendDynamicScaling } from "./scaling";
import { enableSchedule } from "./schedule";
import { imageReference, registerRevision } from "./task-definition";

export interface ReleaseRequest {
  readonly service: string;
  readonly imageTag: string;
}

export type ReleaseMode = "codedeploy" | "ecs-blue-green" | "rolling" | "register-only";

export interface ReleaseOutcome {
  readonly mode: ReleaseMode;
  readonly taskDefinitionArn: string;
  readonly deploymentId?: string;
  /** The release left the bootstrap (the service's first release). */
  readonly firstRelease: boolean;
}

/** How an entry is released: its manifest's strategy (older manifests: CodeDeploy group names). */
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
  if (entry.strategy === "codedeploy") {
    throw new ReleaseError(`${service}: the release manifest says codedeploy but names no CodeDeploy group`);
  }
  return entry.strategy === "ecs-blue-green" ? "ecs-blue-green" : "rolling";
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

function countsOf(service: string, entry: ReleaseManifestEntry) {
  if (!entry.counts) {
    throw new ReleaseError(
      `${service}: the release manifest has no task counts; redeploy the platform stack to refresh its release_manifest output`,
    );
  }
  return entry.counts;
}

/** Interrupted or timed out: the CLI stopped waiting, but what it started in AWS carries on. */
const carriesOn = (error: unknown) => error instanceof InterruptedError || error instanceof WaitTimeoutError;

/**
 * Runs a clean-up step without letting its failure hide the error that made it necessary: a
 * failed clean-up is reported with what is left to do by hand.
 */
async function cleanUp(rt: ReleaseRuntime, what: string, step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (error) {
    rt.log(`CLEAN-UP FAILED: ${what}: ${(error as Error).name}: ${(error as Error).message}; do it by hand`);
  }
}

/**
 * After the first release of a CodeDeploy service (deployed at 0 tasks), its tasks start only
 * when the desired count is raised: wait for them, so a crashing image is not called released.
 */
async function waitForTasks(
  rt: ReleaseRuntime,
  cluster: string,
  service: string,
  desired: number,
): Promise<void> {
  try {
    await pollUntil(rt, `${desired} running tasks of ${service}`, async () => {
      const found = (await rt.ecs.send(new DescribeServicesCommand({ cluster, services: [service] })))
        .services?.[0];
      const line = `${service}: running ${found?.runningCount ?? 0}/${desired}, pending ${found?.pendingCount ?? 0}`;
      return (found?.runningCount ?? 0) >= desired
        ? { done: true, value: undefined }
        : { done: false, progress: line };
    });
  } catch (error) {
    if (!(error instanceof WaitTimeoutError)) throw error;
    // The deployment itself is over: tasks that never run are this release's failure.
    throw new ReleaseError(
      `${service}: its tasks did not reach ${desired} running (${error.message}); see the service's events`,
    );
  }
}

export async function release(
  rt: ReleaseRuntime,
  manifest: ReleaseManifest,
  request: ReleaseRequest,
): Promise<ReleaseOutcome> {
  const entry = serviceEntry(manifest, request.service);
  const mode = releaseMode(request.service, entry);
  const image = imageReference(entry.repositoryUrl, request.imageTag);
  try {
    const service =
      mode === "register-only" ? undefined : await describeService(rt, entry.clusterName, entry.serviceName!);
    const controller = service?.deploymentController?.type ?? "ECS";
    if (mode === "codedeploy" && controller !== "CODE_DEPLOY") {
      throw new ReleaseError(
        `${request.service}: the manifest says CodeDeploy but ECS service ${entry.serviceName} uses the ${controller} deployment controller; re-read the manifest`,
      );
    }
    if ((mode === "rolling" || mode === "ecs-blue-green") && controller !== "ECS") {
      throw new ReleaseError(
        `${request.service}: ECS service ${entry.serviceName} uses the ${controller} deployment controller but the manifest says ${mode}; re-read the manifest`,
      );
    }
    await assertNoDeploymentInProgress(rt, request.service, entry, service);
    await assertImageExists(rt, entry.repositoryUrl, request.imageTag);

    const previous = await readRecord(rt, entry.imageParameterName);
    const firstRelease = isBootstrapImage(previous);
    const counts = firstRelease && mode !== "register-only" ? countsOf(request.service, entry) : undefined;
    await writeRecord(rt, entry.imageParameterName, image);
    rt.log(`recorded ${image} in ${entry.imageParameterName} (was ${previous})`);

    let deploymentStarted = false;
    let done = false;
    let failure: unknown;
    try {
      const revision = await registerRevision(rt.ecs, entry, image);
      rt.log(`registered ${revision.arn} (image ${revision.image}; was ${revision.previousArn})`);
      // Ctrl-C before anything is deployed: stop here, the record is restored below.
      if (rt.signal?.aborted) {
        throw new InterruptedError(
          `${request.service}: interrupted before the deployment started; nothing was deployed`,
        );
      }
      let outcome: ReleaseOutcome;
      if (mode === "register-only") {
        // No ECS service: the schedule runs the family's latest revision, this one, from its next run.
        if (firstRelease && entry.schedule) await enableSchedule(rt, entry.schedule);
        rt.log(
          `${request.service} is a scheduled job: its schedule runs family ${entry.taskDefinitionFamily} (latest revision) from the next run`,
        );
        outcome = { mode, taskDefinitionArn: revision.arn, firstRelease };
      } else if (mode === "codedeploy") {
        outcome = await releaseBlueGreen(rt, request, entry, service, revision.arn, counts, () => {
          deploymentStarted = true;
        });
      } else {
        deploymentStarted = true;
        const { deploymentId } =
          mode === "ecs-blue-green"
            ? await deployEcsBlueGreen(
                rt,
                entry.clusterName,
                entry.serviceName!,
                revision.arn,
                entry.bakeTimeMinutes,
                counts?.desired,
              )
            : await deployRolling(rt, entry.clusterName, entry.serviceName!, revision.arn, counts?.desired);
        if (counts) {
          await resumeDynamicScaling(
            rt,
            { clusterName: entry.clusterName, serviceName: entry.serviceName! },
            counts,
          );
        }
        rt.log(
          mode === "ecs-blue-green"
            ? `${request.service}: released ${request.imageTag} (ECS blue/green deployment ${deploymentId} succeeded)`
            : `${request.service}: released ${request.imageTag} (ECS deployment ${deploymentId} completed)`,
        );
        outcome = { mode, taskDefinitionArn: revision.arn, deploymentId, firstRelease };
      }
      done = true;
      return outcome;
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      if (!done && !(deploymentStarted && carriesOn(failure))) {
        // A failed first release goes back to the bootstrap: the rollback's revision has no image.
        if (counts && deploymentStarted) {
          await cleanUp(rt, `set ${entry.serviceName} back to 0 tasks`, async () => {
            await rt.ecs.send(
              new UpdateServiceCommand({
                cluster: entry.clusterName,
                service: entry.serviceName!,
                desiredCount: 0,
              }),
            );
            rt.log(`${entry.serviceName}: back to 0 tasks (the first release did not complete)`);
          });
        }
        await cleanUp(rt, `write ${previous} back to ${entry.imageParameterName}`, async () => {
          // Another release may have recorded its own image since: then the record is its.
          const now = await readRecord(rt, entry.imageParameterName);
          if (now !== image) {
            rt.log(`${entry.imageParameterName} now names ${now} (another release): left as it is`);
            return;
          }
          await writeRecord(rt, entry.imageParameterName, previous);
          rt.log(`restored ${entry.imageParameterName} to ${previous} (the release did not complete)`);
        });
      }
    }
  } catch (error) {
    throw explainAwsError(error);
  }
}

/** A CodeDeploy blue/green deployment of `taskDefinitionArn`, with dynamic scaling suspended. */
async function releaseBlueGreen(
  rt: ReleaseRuntime,
  request: ReleaseRequest,
  entry: ReleaseManifestEntry,
  service: Service | undefined,
  taskDefinitionArn: string,
  counts: ReleaseManifestEntry["counts"],
  started: () => void,
): Promise<ReleaseOutcome> {
  const scalable = { clusterName: entry.clusterName, serviceName: entry.serviceName! };
  const prior = await suspendDynamicScaling(rt, scalable);
  let deployed = false;
  try {
    started();
    const { deploymentId } = await deployBlueGreen(
      rt,
      request.service,
      entry,
      {
        taskDefinitionArn,
        containerName: entry.containerName,
        containerPort: entry.containerPort,
        capacityProviderStrategy: service?.capacityProviderStrategy,
      },
      `release ${request.service} ${request.imageTag}`,
    );
    // Leaving the bootstrap: the green task set (0 tasks) now serves; give it its tasks and
    // wait for them, so an image that cannot start is not called released.
    if (counts) {
      await rt.ecs.send(
        new UpdateServiceCommand({
          cluster: entry.clusterName,
          service: entry.serviceName!,
          desiredCount: counts.desired,
        }),
      );
      rt.log(`${entry.serviceName}: desired count ${counts.desired} (first release)`);
      await waitForTasks(rt, entry.clusterName, entry.serviceName!, counts.desired);
    }
    deployed = true;
    rt.log(`${request.service}: released ${request.imageTag} (CodeDeploy ${deploymentId} succeeded)`);
    return { mode: "codedeploy", taskDefinitionArn, deploymentId, firstRelease: counts !== undefined };
  } finally {
    await cleanUp(rt, `resume dynamic scaling of ${entry.serviceName}`, () =>
      resumeDynamicScaling(rt, scalable, deployed ? counts : undefined, prior),
    );
  }
}
