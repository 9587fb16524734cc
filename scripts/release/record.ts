/**
 * The release record: one SSM parameter per service and environment naming the image that
 * runs (modules/fargate-service/release-record.ts). The release CLI is its only writer after
 * Terraform creates it; Terraform builds every task definition revision from it.
 */
import { GetParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import { BOOTSTRAP_IMAGE_TAG } from "../../modules/contracts";
import { ReleaseError } from "./errors";
import type { ReleaseRuntime } from "./runtime";

/** True while the record still holds the bootstrap reference (no release yet). */
export const isBootstrapImage = (image: string): boolean => image.endsWith(`:${BOOTSTRAP_IMAGE_TAG}`);

export async function readRecord(rt: ReleaseRuntime, name: string): Promise<string> {
  try {
    const found = await rt.ssm.send(new GetParameterCommand({ Name: name }));
    const value = found.Parameter?.Value;
    if (!value) throw new ReleaseError(`release record ${name} is empty`);
    return value;
  } catch (error) {
    if ((error as Error).name === "ParameterNotFound") {
      throw new ReleaseError(
        `release record ${name} does not exist: deploy the platform stack of this environment first (npx cdktf deploy network platform)`,
      );
    }
    throw error;
  }
}

/** Overwrites the record (Terraform created it; its type stays String). */
export async function writeRecord(rt: ReleaseRuntime, name: string, image: string): Promise<void> {
  await rt.ssm.send(new PutParameterCommand({ Name: name, Value: image, Overwrite: true }));
}
