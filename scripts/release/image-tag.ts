/**
 * The image tag a release names, checked without loading the AWS SDK (the CLI answers a bad
 * tag before any AWS call).
 */
import { BOOTSTRAP_IMAGE_TAG } from "../../modules/contracts";
import { ReleaseError } from "./errors";

const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * Fails unless `imageTag` is a Docker tag or a `sha256:` digest, and not the bootstrap tag the
 * platform's release records start with (a release of it would look like no release at all).
 */
export function checkImageTag(imageTag: string): void {
  if (DIGEST.test(imageTag)) return;
  if (!DOCKER_TAG.test(imageTag)) {
    throw new ReleaseError(
      `--image-tag "${imageTag}" is not a Docker tag (letters, digits, _ . -; at most 128; not starting with . or -) nor a sha256: digest`,
    );
  }
  if (imageTag === BOOTSTRAP_IMAGE_TAG) {
    throw new ReleaseError(
      `--image-tag "${BOOTSTRAP_IMAGE_TAG}" is reserved: it marks a service that was never released; push and release another tag`,
    );
  }
}

/** `<repositoryUrl>:<tag>`, or `<repositoryUrl>@sha256:...` when given a digest. */
export function imageReference(repositoryUrl: string, imageTag: string): string {
  checkImageTag(imageTag);
  return DIGEST.test(imageTag) ? `${repositoryUrl}@${imageTag}` : `${repositoryUrl}:${imageTag}`;
}
