/**
 * The platform outputs the day-2 tooling reads, checked on synthesized apps: the release CLI
 * parses `release_manifest`, the ephemeral workflow smoke-checks `alb_dns_name`. `fraud` adds a
 * worker and a scheduled job to `trading`'s web and backend services.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { ServiceConfig } from "../../config";
import { deploymentStrategy } from "../../config/schema";
import { configFor, Json, synthApp } from "../support/synth";
import { extractManifest } from "../../scripts/release/manifest";
import { releaseMode, ReleaseMode } from "../../scripts/release/release";

function expectedMode(svc: ServiceConfig): ReleaseMode {
  return svc.kind === "scheduled" ? "register-only" : deploymentStrategy(svc);
}

describe.each(["trading", "fraud", "fintech", "orders"])("%s blueprint", (blueprint) => {
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

  test("each service releases the way its strategy says (CodeDeploy, ECS blue/green, rolling); jobs register", () => {
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

describe("outputs for ECS-native blue/green (fintech)", () => {
  const config = configFor("fintech");
  const platform: Json = synthApp(config).stacks.platform;
  // Services another service of the platform calls over the mesh also roll back on its 5xx.
  const meshCalled = new Set(Object.values(config.services).flatMap((s) => s.calls ?? []));

  test("ecs_blue_green names each service's target groups, listener rules, role, bake time and rollback alarms", () => {
    const out = platform.output.ecs_blue_green.value as Json;
    expect(Object.keys(out).sort()).toEqual(["accounts", "payments-api", "transactions"]);
    for (const [service, entry] of Object.entries(out) as [string, Json][]) {
      expect(entry).toMatchObject({ strategy: "ecs-blue-green", bake_time_minutes: 10 });
      expect(entry.target_groups.green).toMatch(
        /^\$\{aws_lb_target_group\.[^}]*_traffic_green_[^}]*\.name\}$/,
      );
      expect(entry.production_listener_rule).toContain("production-rule");
      expect(entry.test_listener_rule).toContain("test-rule");
      expect(entry.infrastructure_role).toContain("infrastructure-role");
      // Error logs, blue and green 5xx and unhealthy hosts; plus the mesh 5xx of its callers.
      expect(entry.rollback_alarms).toHaveLength(meshCalled.has(service) ? 6 : 5);
      expect(entry.rollback_alarms.some((a: string) => a.includes("rollback-mesh-5xx"))).toBe(
        meshCalled.has(service),
      );
    }
  });

  test("test_listener_url tells a pre-traffic check where green answers", () => {
    expect(platform.output.test_listener_url.value).toMatch(/^http:\/\/\$\{aws_lb\.[^}]+\.dns_name\}:8443$/);
  });
});

test("a blueprint without blue/green has no test listener and no test_listener_url output", () => {
  const config = configFor("orders");
  const rolling = {
    ...config,
    services: Object.fromEntries(
      Object.entries(config.services).map(([n, s]) => [
        n,
        { ...s, deployment: { ...s.deployment, strategy: "rolling" as const } },
      ]),
    ),
  };
  const platform: Json = synthApp(rolling).stacks.platform;
  expect(platform.output.test_listener_url).toBeUndefined();
  const ports = Object.values(platform.resource.aws_lb_listener as Record<string, Json>).map((l) => l.port);
  expect(ports).toEqual([80]);
  expect(Object.keys(platform.resource.aws_lb_target_group).some((k) => k.includes("green"))).toBe(false);
});
