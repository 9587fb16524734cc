/**
 * `npm run release -- --service <name> --image-tag <tag> [--manifest <file>] [--region <r>]
 * [--timeout-minutes <n>]`: argument parsing, the local checks that answer within a second or
 * two (the service against the blueprint, the tag's form) before any synthesis, Terraform or AWS
 * call, client construction and exit codes. The work itself is in release.ts, loaded (with the
 * AWS SDK) only once the local checks pass.
 */
import { parseArgs } from "node:util";
import { ConfigError, loadConfig } from "../../config";
import type { ReleaseManifest } from "../../modules/contracts";
import { Naming } from "../../modules/naming";
import {
  DeploymentInProgressError,
  ImageNotFoundError,
  InterruptedError,
  ReleaseError,
  WaitTimeoutError,
} from "./errors";
import { fetchManifest, readManifestFile, regionOfRepository, serviceEntry } from "./manifest";
import type * as ReleaseModule from "./release";
import type { ReleaseRuntime } from "./runtime";
import { checkImageTag } from "./image-tag";

/** Exit codes of the release CLI (also in USAGE). */
export const EXIT = {
  released: 0,
  failed: 1,
  usage: 2,
  inProgress: 3,
  timedOut: 4,
  interrupted: 130,
} as const;

export const USAGE = `usage: npm run release -- --service <name> --image-tag <tag> [options]

  --service <name>          service name in the blueprint (e.g. api-gateway)
  --image-tag <tag>         image tag (or sha256:<digest>) already pushed to the service's ECR repository
  --manifest <file>         release manifest JSON (platform output release_manifest, or a
                            cdktf --outputs-file); default: read it with \`npx cdktf output platform\`
  --region <region>         AWS region; default: the region of the service's ECR repository
  --timeout-minutes <n>     stop waiting after n minutes (default 60); the deployment carries on
  --help                    this text

The blueprint and environment come from BLUEPRINT and ENVIRONMENT_SUFFIX, as for synth; the
service must be one of the blueprint's. The release records the image in the service's SSM
parameter /<blueprint>/<suffix>/release/<service>/image (Terraform builds every task
definition from it), registers a task definition revision and deploys it the way the
service's strategy says: CodeDeploy blue/green (dynamic scaling suspended meanwhile), ECS-native
blue/green (followed through its stages, bake time and any rollback) or an ECS rolling
deployment; a scheduled job's next run uses it. The first release of a service also leaves the bootstrap: 0 tasks
become its desired count, autoscaling gets its minimum and maximum, a schedule is enabled.
A release that fails or rolls back restores the previous record.

Exit codes:
  0    released
  1    failed or rolled back (the previous image runs and is recorded), or an AWS error
  2    usage: unknown option or service, bad image tag or one not in ECR, blueprint/environment error
  3    another deployment of the service is in progress: nothing was registered or recorded
  4    timed out waiting (--timeout-minutes): the deployment carries on in AWS, the record names it
  130  interrupted (Ctrl-C/SIGTERM): scaling resumed; a started deployment carries on in AWS`;

export interface CliOptions {
  readonly service: string;
  readonly imageTag: string;
  readonly manifest?: string;
  readonly region?: string;
  readonly timeoutMinutes: number;
}

export function parseCliArgs(argv: string[]): CliOptions | "help" {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        service: { type: "string" },
        "image-tag": { type: "string" },
        manifest: { type: "string" },
        region: { type: "string" },
        "timeout-minutes": { type: "string" },
        help: { type: "boolean" },
      },
    }));
  } catch (error) {
    throw new ReleaseError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) return "help";
  if (!values.service) throw new ReleaseError(`missing --service <name>\n${USAGE}`);
  if (!values["image-tag"]) {
    throw new ReleaseError(
      `missing --image-tag <tag>: name the image to release (e.g. the git SHA CI pushed)\n${USAGE}`,
    );
  }
  const timeoutMinutes = values["timeout-minutes"] === undefined ? 60 : Number(values["timeout-minutes"]);
  if (!Number.isInteger(timeoutMinutes) || timeoutMinutes < 1 || timeoutMinutes > 24 * 60) {
    throw new ReleaseError(
      `--timeout-minutes "${values["timeout-minutes"]}" must be a whole number of minutes (1-1440)`,
    );
  }
  return {
    service: values.service,
    imageTag: values["image-tag"],
    manifest: values.manifest,
    region: values.region,
    timeoutMinutes,
  };
}

export interface CliDeps {
  /** Environment the blueprint is loaded from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly loadManifest?: (file: string | undefined) => ReleaseManifest;
  /** Builds the runtime for a region; tests inject mocked clients here. */
  readonly runtime?: (
    region: string | undefined,
    timeoutMs: number,
    signal?: AbortSignal,
  ) => ReleaseRuntime | Promise<ReleaseRuntime>;
  /** Aborted on Ctrl-C/SIGTERM (index.ts wires the signals). @default never */
  readonly signal?: AbortSignal;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
}

/** Real clients, loaded on demand: the AWS SDK costs half a second the local checks do not need. */
export async function defaultRuntime(
  region: string | undefined,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ReleaseRuntime> {
  const config = region ? { region } : {};
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on demand, see above */
  const ecs = require("@aws-sdk/client-ecs") as typeof import("@aws-sdk/client-ecs");
  const codedeploy = require("@aws-sdk/client-codedeploy") as typeof import("@aws-sdk/client-codedeploy");
  const ecr = require("@aws-sdk/client-ecr") as typeof import("@aws-sdk/client-ecr");
  const ssm = require("@aws-sdk/client-ssm") as typeof import("@aws-sdk/client-ssm");
  const autoscaling =
    require("@aws-sdk/client-application-auto-scaling") as typeof import("@aws-sdk/client-application-auto-scaling");
  const scheduler = require("@aws-sdk/client-scheduler") as typeof import("@aws-sdk/client-scheduler");
  /* eslint-enable @typescript-eslint/no-require-imports */
  return {
    ecs: new ecs.ECSClient(config),
    codedeploy: new codedeploy.CodeDeployClient(config),
    ecr: new ecr.ECRClient(config),
    ssm: new ssm.SSMClient(config),
    autoscaling: new autoscaling.ApplicationAutoScalingClient(config),
    scheduler: new scheduler.SchedulerClient(config),
    log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
    sleep: (ms) =>
      new Promise((resolve) => {
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener("abort", () => {
          clearTimeout(timer);
          resolve();
        });
      }),
    now: () => Date.now(),
    pollIntervalMs: 15_000,
    timeoutMs,
    signal,
  };
}

/**
 * The checks that need nothing but the local blueprint: the service exists in it and the tag
 * has a releasable form. Returns the blueprint's naming for the manifest cross-check.
 */
export function checkLocally(options: CliOptions, env: Readonly<Record<string, string | undefined>>): Naming {
  checkImageTag(options.imageTag);
  const config = loadConfig(env);
  const known = Object.keys(config.services).sort();
  if (!known.includes(options.service)) {
    throw new ReleaseError(
      `unknown service "${options.service}" in blueprint ${config.name} (${config.source}); its services: ${known.join(", ")}`,
    );
  }
  return new Naming(config.name, config.environmentSuffix);
}

/**
 * Runs the CLI; resolves to the process exit code (see EXIT: 0 released, 1 failed or rolled
 * back, 2 usage, 3 deployment in progress, 130 interrupted).
 */
export async function main(argv: string[], deps: CliDeps = {}): Promise<number> {
  const out = deps.out ?? ((line: string) => console.log(line));
  const err = deps.err ?? ((line: string) => console.error(line));
  let options: CliOptions | "help";
  let naming: Naming;
  try {
    options = parseCliArgs(argv);
    if (options === "help") {
      out(USAGE);
      return EXIT.released;
    }
    naming = checkLocally(options, deps.env ?? process.env);
  } catch (error) {
    if (error instanceof ReleaseError || error instanceof ConfigError) {
      err(`release: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  try {
    const load = deps.loadManifest ?? ((file) => (file ? readManifestFile(file) : fetchManifest()));
    const manifest = load(options.manifest);
    const entry = serviceEntry(manifest, options.service);
    const expected = naming.releaseParameter(options.service);
    if (entry.imageParameterName !== expected) {
      err(
        `release: the release manifest is for another environment: ${options.service} records its image in ${entry.imageParameterName}, but BLUEPRINT/ENVIRONMENT_SUFFIX name ${expected}`,
      );
      return EXIT.usage;
    }
    const region = options.region ?? regionOfRepository(entry.repositoryUrl);
    const runtime = await (deps.runtime ?? defaultRuntime)(
      region,
      options.timeoutMinutes * 60_000,
      deps.signal,
    );
    // Loaded here, not at the top: it pulls in the AWS SDK, which the local checks above must not wait for.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { release } = require("./release") as typeof ReleaseModule;
    await release(runtime, manifest, { service: options.service, imageTag: options.imageTag });
    return EXIT.released;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    // AWS service errors (AccessDenied, throttling, validation) are reported by name, not as a stack.
    err(`release failed: ${error instanceof ReleaseError ? "" : `${error.name}: `}${error.message}`);
    if (error instanceof InterruptedError) return EXIT.interrupted;
    if (error instanceof DeploymentInProgressError) return EXIT.inProgress;
    if (error instanceof WaitTimeoutError) return EXIT.timedOut;
    if (error instanceof ImageNotFoundError) return EXIT.usage;
    return EXIT.failed;
  }
}
