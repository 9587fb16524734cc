import type { OneOffTaskEntry } from "./contracts";
import { BOOTSTRAP_TASK, type DatabaseUserBootstrap } from "./database/iam-users";
import type { FargateService } from "./fargate-service";

/**
 * The platform output `one_off_tasks`: per service its task definition family, app container,
 * private subnets and security group (what its ECS service or schedule runs with), plus the
 * database bootstrap task under `db-bootstrap`.
 */
export function oneOffTasks(
  clusterName: string,
  privateSubnetIds: string[],
  services: Readonly<Record<string, FargateService>>,
  bootstrap?: DatabaseUserBootstrap,
): Record<string, OneOffTaskEntry> {
  const entries: Record<string, OneOffTaskEntry> = {};
  for (const [name, service] of Object.entries(services)) {
    entries[name] = {
      clusterName,
      taskDefinitionFamily: service.handle.taskDefinitionFamily,
      containerName: service.handle.containerName,
      // The app container's awslogs stream prefix is its own name (task-definition.ts).
      logGroupName: service.handle.logGroupName,
      logStreamPrefix: service.handle.containerName,
      subnetIds: privateSubnetIds,
      securityGroupIds: [service.securityGroupId],
    };
  }
  if (bootstrap) {
    entries[BOOTSTRAP_TASK] = {
      clusterName,
      taskDefinitionFamily: bootstrap.taskDefinition.family,
      containerName: bootstrap.containerName,
      logGroupName: bootstrap.logGroupName,
      logStreamPrefix: bootstrap.containerName,
      subnetIds: privateSubnetIds,
      securityGroupIds: [bootstrap.securityGroup.id],
    };
  }
  return entries;
}
