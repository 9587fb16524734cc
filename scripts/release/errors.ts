/**
 * Errors the release CLI reports to the operator as one clear message (no stack trace), and
 * the translation of AWS SDK credential/region failures into instructions.
 */
export class ReleaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReleaseError";
  }
}

/** Ctrl-C or SIGTERM: the release stopped waiting; what it started in AWS carries on. */
export class InterruptedError extends ReleaseError {
  constructor(message: string) {
    super(message);
    this.name = "InterruptedError";
  }
}

/**
 * The CLI stopped waiting (`--timeout-minutes`): like an interrupt, what it started in AWS
 * carries on, so the record keeps the new image.
 */
export class WaitTimeoutError extends ReleaseError {
  constructor(message: string) {
    super(message);
    this.name = "WaitTimeoutError";
  }
}

/** The image to release is not in the service's repository: nothing was recorded or registered. */
export class ImageNotFoundError extends ReleaseError {
  constructor(message: string) {
    super(message);
    this.name = "ImageNotFoundError";
  }
}

/** Another deployment of the service is running: nothing was registered or recorded. */
export class DeploymentInProgressError extends ReleaseError {
  constructor(message: string) {
    super(message);
    this.name = "DeploymentInProgressError";
  }
}

const CREDENTIALS_HELP = [
  "configure AWS credentials for the account that runs the platform:",
  "  locally: `aws sso login --profile <profile>` then `export AWS_PROFILE=<profile>`",
  "           (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN)",
  "  in GitHub Actions: aws-actions/configure-aws-credentials with role-to-assume (OIDC)",
].join("\n");

/**
 * Maps an SDK failure to a ReleaseError when it is a setup problem the operator must fix.
 * Matched by `name`/message rather than `instanceof`: the credential provider classes live in
 * nested @smithy packages whose copies differ between the ECS and CodeDeploy clients.
 */
export function explainAwsError(error: unknown): Error {
  if (error instanceof ReleaseError || !(error instanceof Error)) {
    return error instanceof Error ? error : new Error(String(error));
  }
  if (error.name === "CredentialsProviderError" || /Could not load credentials/i.test(error.message)) {
    return new ReleaseError(`no AWS credentials found (${error.message})\n${CREDENTIALS_HELP}`);
  }
  if (/Region is missing/i.test(error.message)) {
    return new ReleaseError(
      "no AWS region: pass --region <region> or set AWS_REGION (the release manifest's repository URL names it normally)",
    );
  }
  if (
    /ExpiredToken|security token included in the request is (expired|invalid)/i.test(
      `${error.name} ${error.message}`,
    )
  ) {
    return new ReleaseError(`AWS credentials are expired or invalid (${error.message})\n${CREDENTIALS_HELP}`);
  }
  return error;
}
