/**
 * A new task definition revision from the family's latest one, with only the application
 * container's image changed. Everything else (roles, sidecars, secrets, CPU/memory) is kept
 * exactly, so a release never reverts a configuration change Terraform made.
 */
import {
  DescribeTaskDefinitionCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RegisterTaskDefinitionCommandInput,
  Tag,
  TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { ReleaseManifestEntry } from "../../modules/contracts";
import { ReleaseError } from "./errors";

/**
 * Fields DescribeTaskDefinition returns that RegisterTaskDefinition rejects or ignores: they
 * describe a registered revision, not a definition.
 */
export const READ_ONLY_FIELDS = [
  "taskDefinitionArn",
  "revision",
  "status",
  "requiresAttributes",
  "compatibilities",
  "registeredAt",
  "registeredBy",
  "deregisteredAt",
  "deleteRequestedAt",
] as const;

export { checkImageTag, imageReference } from "./image-tag";

/** The RegisterTaskDefinition input: the described definition minus read-only fields, new image. */
export function registerInput(
  current: TaskDefinition,
  tags: Tag[] | undefined,
  containerName: string,
  image: string,
): RegisterTaskDefinitionCommandInput {
  const containers = current.containerDefinitions ?? [];
  if (!containers.some((c) => c.name === containerName)) {
    throw new ReleaseError(
      `task definition ${current.family} has no container "${containerName}" (containers: ${containers.map((c) => c.name).join(", ")}); ` +
        "the release manifest is stale, re-read it after deploying the platform stack",
    );
  }
  const copy: Record<string, unknown> = { ...current };
  for (const field of READ_ONLY_FIELDS) delete copy[field];
  return {
    ...(copy as Omit<RegisterTaskDefinitionCommandInput, "family" | "containerDefinitions">),
    family: current.family,
    containerDefinitions: containers.map((c) => (c.name === containerName ? { ...c, image } : c)),
    // RegisterTaskDefinition rejects an empty tag list; Terraform's default_tags are carried over.
    ...(tags && tags.length > 0 ? { tags } : {}),
  };
}

export interface RegisteredRevision {
  readonly arn: string;
  readonly previousArn: string;
  readonly image: string;
}

export async function registerRevision(
  ecs: ECSClient,
  entry: ReleaseManifestEntry,
  image: string,
): Promise<RegisteredRevision> {
  // The family name alone resolves to its latest ACTIVE revision.
  const described = await ecs.send(
    new DescribeTaskDefinitionCommand({ taskDefinition: entry.taskDefinitionFamily, include: ["TAGS"] }),
  );
  const current = described.taskDefinition;
  if (!current?.taskDefinitionArn) {
    throw new ReleaseError(`task definition family ${entry.taskDefinitionFamily} has no active revision`);
  }
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand(registerInput(current, described.tags, entry.containerName, image)),
  );
  const arn = registered.taskDefinition?.taskDefinitionArn;
  if (!arn)
    throw new ReleaseError(`RegisterTaskDefinition returned no ARN for ${entry.taskDefinitionFamily}`);
  return { arn, previousArn: current.taskDefinitionArn, image };
}
