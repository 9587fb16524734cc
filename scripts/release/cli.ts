/**
 * `npm run release -- --service <name> --image-tag <tag> [--manifest <file>] [--region <r>]
 * [--timeout-minutes <n>]`: argument parsing, client construction and exit codes. The work
 * itself is in release.ts.
 */
import { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import { ECSClient } from "@aws-sdk/client-ecs";
import { parseArgs } from "node:util";
import type { ReleaseManifest } from "../../modules/contracts";
import { ReleaseError } from "./errors";
import { fetchManifest, readManifestFile, regionOfRepository, serviceEntry } from "./manifest";
import { release } from "./release";
import { ReleaseRuntime } from "./runtime";

export const USAGE = `usage: npm run release -- --service <name> --image-tag <tag> [options]

  --service <name>          service name in the blueprint (e.g. api-gateway)
  --image-tag <tag>         image tag (or sha256:<digest>) already pushed to the service's ECR repository
  --manifest <file>         release manifest JSON (platform output release_manifest, or a
                            cdktf --outputs-file); default: read it with \`npx cdktf output platform\`
  --region <region>         AWS region; default: the region of the service's ECR repository
  --timeout-minutes <n>     stop waiting after n minutes (default 60); the deployment carries on
  --help                    this text`;

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
  readonly loadManifest?: (file: string | undefined) => ReleaseManifest;
  /** Builds the runtime for a region; tests inject mocked clients here. */
  readonly runtime?: (region: string | undefined, timeoutMs: number) => ReleaseRuntime;
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
}

export function defaultRuntime(region: string | undefined, timeoutMs: number): ReleaseRuntime {
  return {
    ecs: new ECSClient(region ? { region } : {}),
    codedeploy: new CodeDeployClient(region ? { region } : {}),
    log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => Date.now(),
    pollIntervalMs: 15_000,
    timeoutMs,
  };
}

/** Runs the CLI; resolves to the process exit code (0 released, 1 failed or rolled back, 2 usage). */
export async function main(argv: string[], deps: CliDeps = {}): Promise<number> {
  const out = deps.out ?? ((line: string) => console.log(line));
  const err = deps.err ?? ((line: string) => console.error(line));
  let options: CliOptions | "help";
  try {
    options = parseCliArgs(argv);
  } catch (error) {
    err(`release: ${(error as Error).message}`);
    return 2;
  }
  if (options === "help") {
    out(USAGE);
    return 0;
  }
  try {
    const load = deps.loadManifest ?? ((file) => (file ? readManifestFile(file) : fetchManifest()));
    const manifest = load(options.manifest);
    const entry = serviceEntry(manifest, options.service);
    const region = options.region ?? regionOfRepository(entry.repositoryUrl);
    const runtime = (deps.runtime ?? defaultRuntime)(region, options.timeoutMinutes * 60_000);
    await release(runtime, manifest, { service: options.service, imageTag: options.imageTag });
    return 0;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    // AWS service errors (AccessDenied, throttling, validation) are reported by name, not as a stack.
    err(`release failed: ${error instanceof ReleaseError ? "" : `${error.name}: `}${error.message}`);
    return 1;
  }
}
