/**
 * The platform outputs the day-2 tooling reads, checked on synthesized apps: the release CLI
 * parses `release_manifest`, the ephemeral workflow smoke-checks `alb_dns_name`. `fraud` adds a
 * worker and a scheduled job to `trading`'s web and backend services.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { ServiceConfig } from "../../config";
import { configFor, Json, synthApp } from "../support/synth";
import { extractManifest } from "../../scripts/release/manifest";
import { releaseMode, ReleaseMode } from "../../scripts/release/release";

function expectedMode(svc: ServiceConfig): ReleaseMode {
  if (svc.kind === "scheduled") return "register-only";
  if (svc.kind === "web" && svc.deployment.strategy !== "rolling") return "codedeploy";
  return "rolling";
}

describe.each(["trading", "fraud"])("%s blueprint", (blueprint) => {
  const config = configFor(blueprint);
  const platform: Json = synthApp(config).stacks.platform;
  const manifest = extractManifest(
    { platform: { release_manifest: platform.output.release_manifest.value } },
    "synth",
  );

  test("release_manifest has an entry per service that the release CLI accepts", () => {
    expect(Object.keys(manifest).sort()).toEqual(Object.keys(config.services).sort());
  });

  test("each entry's kind and container port are the service's", () => {
    for (const [name, svc] of Object.entries(config.services)) {
      expect(manifest[name]).toMatchObject({ kind: svc.kind, containerPort: svc.port });
    }
  });

  test("web services release through their CodeDeploy group, scheduled jobs register, the rest roll", () => {
    const modes = Object.fromEntries(
      Object.keys(config.services).map((n) => [n, releaseMode(n, manifest[n])]),
    );
    const expected = Object.fromEntries(
      Object.entries(config.services).map(([n, s]) => [n, expectedMode(s)]),
    );
    expect(modes).toEqual(expected);
  });

  test("the ALB DNS output the ephemeral smoke check reads exists", () => {
    const wf = parse(readFileSync(join(__dirname, "../../.github/workflows/ephemeral.yml"), "utf8"));
    const smoke = wf.jobs.ephemeral.steps.find((s: Json) => s.name === "Smoke check");
    expect(platform.output).toHaveProperty(smoke.env.ALB_OUTPUT);
  });
});
