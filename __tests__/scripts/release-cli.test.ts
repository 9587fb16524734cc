/**
 * The release CLI's edges: arguments, exit codes, where the manifest comes from and how it is
 * validated, and which region the clients get.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import { DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { CodeDeployClient } from "@aws-sdk/client-codedeploy";
import type { ReleaseManifest } from "../../modules/contracts";
import { defaultRuntime, main, parseCliArgs } from "../../scripts/release/cli";
import {
  extractManifest,
  fetchManifest,
  readManifestFile,
  regionOfRepository,
} from "../../scripts/release/manifest";
import { ReleaseRuntime } from "../../scripts/release/runtime";

const REPO = "123456789012.dkr.ecr.eu-west-2.amazonaws.com/report-test";
const MANIFEST: ReleaseManifest = {
  report: {
    kind: "scheduled",
    clusterName: "ecs-trading-test",
    taskDefinitionFamily: "td-report-test",
    containerName: "app",
    containerPort: 8080,
    repositoryUrl: REPO,
  },
};
const dir = mkdtempSync(join(tmpdir(), "release-cli-test-"));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

/** Runs main() with captured output and a runtime over mocked clients. */
async function run(argv: string[], manifest: ReleaseManifest = MANIFEST) {
  const out: string[] = [];
  const err: string[] = [];
  const regions: (string | undefined)[] = [];
  const ecs = new ECSClient({ region: "eu-west-2" });
  const ecsMock = mockClient(ecs);
  ecsMock.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: "arn:aws:ecs:eu-west-2:123456789012:task-definition/td-report-test:1",
      family: "td-report-test",
      containerDefinitions: [{ name: "app", image: `${REPO}:v1` }],
    },
  });
  ecsMock.on(RegisterTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: "arn:aws:ecs:eu-west-2:123456789012:task-definition/td-report-test:2",
    },
  });
  const code = await main(argv, {
    loadManifest: () => manifest,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    runtime: (region, timeoutMs): ReleaseRuntime => {
      regions.push(region);
      return {
        ecs,
        codedeploy: new CodeDeployClient({ region: "eu-west-2" }),
        log: (l) => out.push(l),
        sleep: async () => undefined,
        now: () => 0,
        pollIntervalMs: 1,
        timeoutMs,
      };
    },
  });
  return { code, out, err, regions, ecsMock };
}

describe("command line", () => {
  test("releases and exits 0", async () => {
    const { code, out } = await run(["--service", "report", "--image-tag", "v2"]);
    expect(code).toBe(0);
    expect(out.join("\n")).toMatch(/registered .*td-report-test:2 \(image .*report-test:v2/);
  });

  test("gives the clients the region of the service's ECR repository", async () => {
    const { regions } = await run(["--service", "report", "--image-tag", "v2"]);
    expect(regions).toEqual(["eu-west-2"]);
  });

  test("lets --region override the repository's region", async () => {
    const { regions } = await run(["--service", "report", "--image-tag", "v2", "--region", "us-east-1"]);
    expect(regions).toEqual(["us-east-1"]);
  });

  test("fails with exit code 2 when --image-tag is missing", async () => {
    const { code, err } = await run(["--service", "report"]);
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(/release: missing --image-tag <tag>/);
  });

  test("fails with exit code 2 when --service is missing", async () => {
    const { code, err } = await run(["--image-tag", "v1"]);
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(/missing --service <name>/);
  });

  test("fails with exit code 2 on an unknown option", async () => {
    const { code, err } = await run(["--service", "report", "--image-tag", "v1", "--force"]);
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(/Unknown option '--force'[\s\S]*usage: npm run release/);
  });

  test("fails with exit code 1 for an unknown service, listing the known ones", async () => {
    const { code, err } = await run(["--service", "frontend", "--image-tag", "v1"]);
    expect(code).toBe(1);
    expect(err).toEqual(['release failed: unknown service "frontend": the platform has report']);
  });

  test("fails with exit code 1 and the error name for AWS errors", async () => {
    const manifest = { report: { ...MANIFEST.report } };
    const out: string[] = [];
    const err: string[] = [];
    const ecs = new ECSClient({ region: "eu-west-2" });
    mockClient(ecs)
      .on(DescribeTaskDefinitionCommand)
      .rejects(Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" }));
    const code = await main(["--service", "report", "--image-tag", "v1"], {
      loadManifest: () => manifest,
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      runtime: (_r, timeoutMs) => ({
        ecs,
        codedeploy: new CodeDeployClient({ region: "eu-west-2" }),
        log: (l) => out.push(l),
        sleep: async () => undefined,
        now: () => 0,
        pollIntervalMs: 1,
        timeoutMs,
      }),
    });
    expect(code).toBe(1);
    expect(err).toEqual(["release failed: AccessDeniedException: User is not authorized"]);
  });

  test("prints the usage with --help", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/--service <name>[\s\S]*--image-tag <tag>[\s\S]*--manifest <file>/);
  });

  test("defaults the timeout to 60 minutes", () => {
    expect(parseCliArgs(["--service", "a", "--image-tag", "b"])).toMatchObject({ timeoutMinutes: 60 });
  });

  test("fails when --timeout-minutes is not a whole number of minutes", () => {
    expect(() => parseCliArgs(["--service", "a", "--image-tag", "b", "--timeout-minutes", "0.5"])).toThrow(
      /--timeout-minutes "0.5" must be a whole number of minutes/,
    );
  });

  test("builds real clients in the given region with a 15 s poll interval", async () => {
    const rt = defaultRuntime("ap-southeast-1", 1000);
    expect(await rt.ecs.config.region()).toBe("ap-southeast-1");
    expect(await rt.codedeploy.config.region()).toBe("ap-southeast-1");
    expect(rt.pollIntervalMs).toBe(15_000);
  });
});

describe("release manifest", () => {
  test("is read from a cdktf outputs file (platform.release_manifest)", () => {
    expect(readManifestFile(file("outputs.json", { platform: { release_manifest: MANIFEST } }))).toEqual(
      MANIFEST,
    );
  });

  test("is read from an output nested under its construct path", () => {
    const doc = { platform: { services: { release_manifest: MANIFEST } } };
    expect(extractManifest(doc, "x")).toEqual(MANIFEST);
  });

  test("is read when the output is a JSON-encoded string", () => {
    expect(extractManifest({ platform: { release_manifest: JSON.stringify(MANIFEST) } }, "x")).toEqual(
      MANIFEST,
    );
  });

  test("is read from a bare manifest file", () => {
    expect(readManifestFile(file("bare.json", MANIFEST))).toEqual(MANIFEST);
  });

  test("fails when the document has no release_manifest output", () => {
    expect(() => extractManifest({ platform: { alb_dns_name: "x" } }, "outputs.json")).toThrow(
      /outputs.json: no "release_manifest" output found; deploy the platform stack first/,
    );
  });

  test("fails naming the field when an entry is invalid", () => {
    const bad = { platform: { release_manifest: { report: { ...MANIFEST.report, kind: "lambda" } } } };
    expect(() => extractManifest(bad, "m.json")).toThrow(
      /m.json: invalid release manifest:\n {2}release_manifest.report.kind:/,
    );
  });

  test("fails when the file is not JSON", () => {
    const path = file("broken.json", "{ not json");
    expect(() => readManifestFile(path)).toThrow(/broken.json: not valid JSON/);
  });

  test("fails when the file cannot be read", () => {
    expect(() => readManifestFile(join(dir, "missing.json"))).toThrow(
      /--manifest .*missing.json: file cannot be read/,
    );
  });

  test("is fetched with cdktf output platform into a temp outputs file, without sensitive outputs", () => {
    const calls: string[][] = [];
    const manifest = fetchManifest((command, args) => {
      calls.push([command, ...args]);
      writeFileSync(
        args[args.indexOf("--outputs-file") + 1],
        JSON.stringify({ platform: { release_manifest: MANIFEST } }),
      );
    });
    expect(manifest).toEqual(MANIFEST);
    expect(calls[0].slice(0, 4)).toEqual(["npx", "cdktf", "output", "platform"]);
    expect(calls[0]).toContain("--outputs-file-include-sensitive-outputs=false");
  });

  test("fails with what to check when cdktf output fails", () => {
    expect(() =>
      fetchManifest(() => {
        throw new Error("exit 1");
      }),
    ).toThrow(/could not read the platform outputs .*exit 1.*pass --manifest <file>/);
  });

  test("names the platform region from an ECR repository URL", () => {
    expect(regionOfRepository(REPO)).toBe("eu-west-2");
    expect(regionOfRepository("123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/x")).toBe("us-gov-west-1");
    expect(regionOfRepository("registry.example.com/x")).toBeUndefined();
  });
});
