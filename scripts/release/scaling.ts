/**
 * Application Auto Scaling around a release. AWS recommends suspending dynamic scaling while a
 * CodeDeploy blue/green deployment runs: a scale-in or scale-out in the middle changes the blue
 * task set under CodeDeploy and can fail the deployment. The release CLI owns the suspension
 * (Terraform ignores `suspended_state`) and always ends it, leaving any suspension an operator
 * had set before the release as it was. The first release also registers the service's
 * configured minimum and maximum, which are 0 during the bootstrap.
 */
import {
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
} from "@aws-sdk/client-application-auto-scaling";
import type { ReleaseRuntime } from "./runtime";

export interface ScalableService {
  readonly clusterName: string;
  readonly serviceName: string;
}

/** Dynamic scaling suspension as it was before the release (both false unless an operator set it). */
export interface PriorSuspension {
  readonly in: boolean;
  readonly out: boolean;
}

const target = (s: ScalableService) => ({
  ServiceNamespace: "ecs" as const,
  ResourceId: `service/${s.clusterName}/${s.serviceName}`,
  ScalableDimension: "ecs:service:DesiredCount" as const,
});

/** Suspends scale-in and scale-out; returns what was suspended before, for the resume. */
export async function suspendDynamicScaling(
  rt: ReleaseRuntime,
  s: ScalableService,
): Promise<PriorSuspension> {
  const { ServiceNamespace, ResourceId, ScalableDimension } = target(s);
  const described = await rt.autoscaling.send(
    new DescribeScalableTargetsCommand({ ServiceNamespace, ResourceIds: [ResourceId], ScalableDimension }),
  );
  const state = described.ScalableTargets?.[0]?.SuspendedState;
  const prior = {
    in: state?.DynamicScalingInSuspended ?? false,
    out: state?.DynamicScalingOutSuspended ?? false,
  };
  await rt.autoscaling.send(
    new RegisterScalableTargetCommand({
      ...target(s),
      SuspendedState: { DynamicScalingInSuspended: true, DynamicScalingOutSuspended: true },
    }),
  );
  rt.log(`suspended dynamic scaling of ${s.serviceName} for the deployment`);
  return prior;
}

/**
 * Ends the release's suspension (back to `prior`, by default not suspended); with `counts`,
 * also registers the minimum and maximum.
 */
export async function resumeDynamicScaling(
  rt: ReleaseRuntime,
  s: ScalableService,
  counts?: { readonly min: number; readonly max: number },
  prior: PriorSuspension = { in: false, out: false },
): Promise<void> {
  await rt.autoscaling.send(
    new RegisterScalableTargetCommand({
      ...target(s),
      ...(counts ? { MinCapacity: counts.min, MaxCapacity: counts.max } : {}),
      SuspendedState: { DynamicScalingInSuspended: prior.in, DynamicScalingOutSuspended: prior.out },
    }),
  );
  const kept = prior.in || prior.out ? " (kept suspended as it was before the release)" : "";
  rt.log(
    counts
      ? `autoscaling of ${s.serviceName}: min ${counts.min}, max ${counts.max}, dynamic scaling on${kept}`
      : `resumed dynamic scaling of ${s.serviceName}${kept}`,
  );
}
