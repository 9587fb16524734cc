/**
 * Application Auto Scaling around a release. AWS recommends suspending dynamic scaling while a
 * CodeDeploy blue/green deployment runs: a scale-in or scale-out in the middle changes the blue
 * task set under CodeDeploy and can fail the deployment. The release CLI owns the suspension
 * (Terraform ignores `suspended_state`) and always resumes it. The first release also registers
 * the service's configured minimum and maximum, which are 0 during the bootstrap.
 */
import { RegisterScalableTargetCommand } from "@aws-sdk/client-application-auto-scaling";
import type { ReleaseRuntime } from "./runtime";

export interface ScalableService {
  readonly clusterName: string;
  readonly serviceName: string;
}

const target = (s: ScalableService) => ({
  ServiceNamespace: "ecs" as const,
  ResourceId: `service/${s.clusterName}/${s.serviceName}`,
  ScalableDimension: "ecs:service:DesiredCount" as const,
});

export async function suspendDynamicScaling(rt: ReleaseRuntime, s: ScalableService): Promise<void> {
  await rt.autoscaling.send(
    new RegisterScalableTargetCommand({
      ...target(s),
      SuspendedState: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true },
    }),
  );
  rt.log(`suspended dynamic scaling of ${s.serviceName} for the deployment`);
}

/** Resumes dynamic scaling; with `counts`, also registers the minimum and maximum. */
export async function resumeDynamicScaling(
  rt: ReleaseRuntime,
  s: ScalableService,
  counts?: { readonly min: number; readonly max: number },
): Promise<void> {
  await rt.autoscaling.send(
    new RegisterScalableTargetCommand({
      ...target(s),
      ...(counts ? { MinCapacity: counts.min, MaxCapacity: counts.max } : {}),
      SuspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false },
    }),
  );
  rt.log(
    counts
      ? `autoscaling of ${s.serviceName}: min ${counts.min}, max ${counts.max}, dynamic scaling on`
      : `resumed dynamic scaling of ${s.serviceName}`,
  );
}
