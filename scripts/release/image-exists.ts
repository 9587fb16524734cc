/**
 * The image must exist before it is recorded: a wrong tag would otherwise be written to the
 * record (and so into every revision Terraform registers) and fail only minutes later, or, for
 * a scheduled job, at its next run.
 */
import { DescribeImagesCommand } from "@aws-sdk/client-ecr";
import { ImageNotFoundError } from "./errors";
import type { ReleaseRuntime } from "./runtime";

export async function assertImageExists(
  rt: ReleaseRuntime,
  repositoryUrl: string,
  imageTag: string,
): Promise<void> {
  const repositoryName = repositoryUrl.slice(repositoryUrl.indexOf("/") + 1);
  const imageId = imageTag.startsWith("sha256:") ? { imageDigest: imageTag } : { imageTag };
  try {
    await rt.ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [imageId] }));
  } catch (error) {
    const name = (error as Error).name;
    if (name === "ImageNotFoundException" || name === "RepositoryNotFoundException") {
      throw new ImageNotFoundError(
        `${imageTag} is not in ECR repository ${repositoryName} (${name}); push it first (docker push ${repositoryUrl}:<tag>). Nothing was recorded or registered`,
      );
    }
    throw error;
  }
}
