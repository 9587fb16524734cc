/**
 * The release CLI's edges: arguments, exit codes, where the manifest comes from and how it is
 * validated, and which region the clients get.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import type { ReleaseManifest } from "../../modules/contracts";
import { defaultRuntime, EXIT, main, parseCliArgs } from "../../scripts/release/cli";
import {
  extractManifest,
  fetchManifest,
  readManifestFile,
  regionOfRepository,
} from "../../scripts/release/manifest";
import { harness } from "../support/release-harness";

// The local checks read the blueprint: fraud's scheduled job in environment "test".
const ENV = { BLUEPRINT: "fraud", ENVIRONMENT_SUFFIX: "test" };
const REPO = "123456789012.dkr.ecr.eu-west-2.amazonaws.com/ecr-repo-fraud-job-test";
const MANIFEST: ReleaseManifest = {
  "fraud-job": {
    kind: "scheduled",
    clusterName: "ecs-cluster-fraud-test",
    taskDefinitionFamily: "task-fraud-job-test",
    containerName: "fraud-job",
    containerPort: 8080,
    repositoryUrl: REPO,
    imageParameterName: "/fraud/test/release/fraud-job/image",
    schedule: { name: "schedule-fraud-job-test", group: "schedules-fraud-job-test" },
  },
};
const dir = mkdtempSync(join(tmpdir(), "release-cli-test-"));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

/** Runs main() with captured output and a runtime over mocked clients. */
async function run(argv: string[], manifest: ReleaseManifest = MANIFEST, env = ENV) {
  const out: string[] = [];
  const err: string[] = [];
  const regions: (string | undefined)[] = [];
  let manifestLoads = 0;
  const h = harness();
  h.ecs.on(DescribeTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: "arn:aws:ecs:eu-west-2:123456789012:task-definition/task-fraud-job-test:1",
      family: "task-fraud-job-test",
      containerDefinitions: [{ name: "fraud-job", image: `${REPO}:v1` }],
    },
  });
  h.ecs.on(RegisterTaskDefinitionCommand).resolves({
    taskDefinition: {
      taskDefinitionArn: "arn:aws:ecs:eu-west-2:123456789012:task-definition/task-fraud-job-test:2",
    },
  });
  const code = await main(argv, {
    env,
    loadManifest: () => {
      manifestLoads++;
      return manifest;
    },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    runtime: (region, timeoutMs) => {
      regions.push(region);
      return { ...h.rt, timeoutMs, log: (l: string) => out.push(l) };
    },
  });
  return { code, out, err, regions, h, manifestLoads: () => manifestLoads };
}

describe("command line", () => {
  test("releases and exits 0", async () => {
    const { code, out } = await run(["--service", "fraud-job", "--image-tag", "v2"]);
    expect(code).toBe(EXIT.released);
    expect(out.join("\n")).toMatch(/registered .*task-fraud-job-test:2 \(image .*fraud-job-test:v2/);
  });

  test("gives the clients the region of the service's ECR repository", async () => {
    const { regions } = await run(["--service", "fraud-job", "--image-tag", "v2"]);
    expect(regions).toEqual(["eu-west-2"]);
  });

  test("lets --region override the repository's region", async () => {
    const { regions } = await run(["--service", "fraud-job", "--image-tag", "v2", "--region", "us-east-1"]);
    expect(regions).toEqual(["us-east-1"]);
  });

  test("fails with exit code 2 when --image-tag is missing", async () => {
    const { code, err } = await run(["--service", "fraud-job"]);
    expect(code).toBe(EXIT.usage);
    expect(err.join("\n")).toMatch(/release: missing --image-tag <tag>/);
  });

  test("fails with exit code 2 when --service is missing", async () => {
    const { code, err } = await run(["--image-tag", "v1"]);
    expect(code).toBe(EXIT.usage);
    expect(err.join("\n")).toMatch(/missing --service <name>/);
  });

  test("fails with exit code 2 on an unknown option", async () => {
    const { code, err } = await run(["--service", "fraud-job", "--image-tag", "v1", "--force"]);
    expect(code).toBe(EXIT.usage);
    expect(err.join("\n")).toMatch(/Unknown option '--force'[\s\S]*usage: npm run release/);
  });

  test("fails with exit code 2 for a service the local blueprint does not have, before reading the manifest", async () => {
    const { code, err, manifestLoads, regions } = await run(["--service", "nope", "--image-tag", "v1"]);
    expect(code).toBe(EXIT.usage);
    expect(err).toEqual([
      'release: unknown service "nope" in blueprint fraud (built-in:fraud); its services: fraud-api, fraud-job, fraud-worker',
    ]);
    expect(manifestLoads()).toBe(0);
    expect(regions).toEqual([]);
  });

  test("fails with exit code 2 for a malformed or reserved image tag, before reading the manifest", async () => {
    for (const tag of ["-bad", "bootstrap"]) {
      const { code, err, manifestLoads } = await run(["--service", "fraud-job", `--image-tag=${tag}`]);
      expect(code).toBe(EXIT.usage);
      expect(err.join("\n")).toMatch(tag === "bootstrap" ? /"bootstrap" is reserved/ : /is not a Docker tag/);
      expect(manifestLoads()).toBe(0);
    }
  });

  test("fails with exit code 2 when the blueprint environment is invalid", async () => {
    const { code, err } = await run(["--service", "fraud-job", "--image-tag", "v1"], MANIFEST, {
      BLUEPRINT: "nope",
      ENVIRONMENT_SUFFIX: "test",
    });
    expect(code).toBe(EXIT.usage);
    expect(err.join("\n")).toMatch(/BLUEPRINT: "nope" is not a built-in blueprint/);
  });

  test("fails with exit code 2 when the manifest belongs to another environment", async () => {
    const { code, err, regions } = await run(["--service", "fraud-job", "--image-tag", "v1"], MANIFEST, {
      ...ENV,
      ENVIRONMENT_SUFFIX: "prod",
    });
    expect(code).toBe(EXIT.usage);
    expect(err.join("\n")).toMatch(
      /manifest is for another environment: fraud-job records its image in \/fraud\/test\/release\/fraud-job\/image, but BLUEPRINT\/ENVIRONMENT_SUFFIX name \/fraud\/prod\/release\/fraud-job\/image/,
    );
    expect(regions).toEqual([]);
  });

  test("fails with exit code 1 for a service the deployed platform does not have", async () => {
    const { code, err } = await run(["--service", "fraud-api", "--image-tag", "v1"]);
    expect(code).toBe(EXIT.failed);
    expect(err).toEqual(['release failed: unknown service "fraud-api": the platform has fraud-job']);
  });

  test("fails with exit code 1 and the error name for AWS errors", async () => {
    const out: string[] = [];
    const err: string[] = [];
    const h = harness();
    h.ecs
      .on(DescribeTaskDefinitionCommand)
      .rejects(Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" }));
    const code = await main(["--service", "fraud-job", "--image-tag", "v1"], {
      env: ENV,
      loadManifest: () => MANIFEST,
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      runtime: () => h.rt,
    });
    expect(code).toBe(EXIT.failed);
    expect(err).toEqual(["release failed: AccessDeniedException: User is not authorized"]);
  });

  test("prints the usage with its exit codes with --help", async () => {
    const { code, out } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/--service <name>[\s\S]*--image-tag <tag>[\s\S]*--manifest <file>/);
    expect(out[0]).toMatch(
      /Exit codes:\n {2}0 +released\n {2}1 +failed[\s\S]*\n {2}2 +usage[\s\S]*\n {2}3 +another deployment[\s\S]*\n {2}130 +interrupted/,
    );
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
    const rt = await defaultRuntime("ap-southeast-1", 1000);
    for (const client of [rt.ecs, rt.codedeploy, rt.ssm, rt.autoscaling, rt.scheduler]) {
      expect(await client.config.region()).toBe("ap-southeast-1");
    }
    expect(rt.pollIntervalMs).toBe(15_000);
  });

  test("its sleep ends early when the release is interrupted", async () => {
    const abort = new AbortController();
    const rt = await defaultRuntime("ap-southeast-1", 1000, abort.signal);
    const started = Date.now();
    const sleeping = rt.sleep(60_000);
    abort.abort();
    await sleeping;
    expect(Date.now() - started).toBeLessThan(5_000);
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
    }, {});
    expect(manifest).toEqual(MANIFEST);
    expect(calls[0].slice(0, 4)).toEqual(["npx", "cdktf", "output", "platform"]);
    expect(calls[0]).toContain("--outputs-file-include-sensitive-outputs=false");
  });

  test("is fetched with the CLI of the selected runtime (CDK_RUNTIME=cdktn: cdktn output platform)", () => {
    const calls: string[][] = [];
    fetchManifest(
      (command, args) => {
        calls.push([command, ...args]);
        writeFileSync(
          args[args.indexOf("--outputs-file") + 1],
          JSON.stringify({ platform: { release_manifest: MANIFEST } }),
        );
      },
      { CDK_RUNTIME: "cdktn" },
    );
    expect(calls[0].slice(0, 4)).toEqual(["npx", "cdktn", "output", "platform"]);
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
