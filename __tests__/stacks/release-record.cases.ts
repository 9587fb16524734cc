/**
 * One owner for the running image, on the synthesized app of every built-in blueprint: each
 * service's image comes from its release record (an SSM parameter Terraform creates once and
 * never writes again), nothing references `:latest`, and until the first release the services
 * have 0 tasks, autoscaling a minimum of 0 and schedules are disabled; after it, the brief's
 * counts apply.
 */
import { BUILT_IN_BLUEPRINTS } from "../../config/blueprints";
import { ConfigError, parseBlueprint } from "../../config";
import { Naming } from "../../modules/naming";
import { appContainer, oneOf, ref } from "../support/find";
import { blueprintWith, configFor, Json, synthApp } from "../support/synth";

/** The expression a value takes from the record: `bootstrap` until the first release, `released` after. */
const afterRelease = (parameterId: string, released: string | number, bootstrap: string | number) =>
  `\${endswith(aws_ssm_parameter.${parameterId}.insecure_value, ":bootstrap") ? ${bootstrap} : ${released}}`;

// One config per blueprint, so synthApp's cache (keyed by config) synthesizes each app once.
const CONFIGS = Object.fromEntries(Object.keys(BUILT_IN_BLUEPRINTS).map((b) => [b, configFor(b)]));

describe.each(Object.keys(BUILT_IN_BLUEPRINTS))("blueprint %s", (blueprint) => {
  const config = CONFIGS[blueprint];
  const { stacks } = synthApp(config);
  const platform = stacks.platform;
  const services = Object.entries(config.services);

  test("no synthesized stack mentions a :latest image", () => {
    for (const [id, stack] of Object.entries(stacks)) {
      expect({ id, latest: JSON.stringify(stack).match(/:latest\b/g) }).toEqual({ id, latest: null });
    }
  });

  test.each(services.map(([name]) => name))("%s runs the image its release record names", (name) => {
    const [parameterId, parameter] = oneOf(platform, "aws_ssm_parameter", name, "/release/");
    expect(parameter).toMatchObject({
      name: `/${blueprint}/test/release/${name}/image`,
      type: "String",
      lifecycle: { ignore_changes: ["insecure_value"] },
    });
    const repository = new Naming(blueprint, "test").name(
      "ecrRepository",
      config.services[name].image ?? name,
    );
    expect(parameter.insecure_value).toBe(
      `\${data.aws_caller_identity.account.account_id}.dkr.ecr.${config.region}.amazonaws.com/${repository}:bootstrap`,
    );
    expect(appContainer(platform, name).container.image).toBe(
      ref("aws_ssm_parameter", parameterId, "insecure_value"),
    );
  });

  test.each(services.filter(([, s]) => s.kind !== "scheduled").map(([name, s]) => [name, s] as const))(
    "%s starts with 0 tasks and a minimum of 0 until its first release, then its configured counts",
    (name, svc) => {
      const [parameterId] = oneOf(platform, "aws_ssm_parameter", name, "/release/");
      const [, service] = oneOf(platform, "aws_ecs_service", name);
      const [, target] = oneOf(platform, "aws_appautoscaling_target", name);
      expect(service.desired_count).toBe(afterRelease(parameterId, svc.desiredCount, 0));
      expect(service.lifecycle.ignore_changes).toContain("desired_count");
      expect(target.min_capacity).toBe(afterRelease(parameterId, svc.minCount, 0));
      expect(target.max_capacity).toBe(svc.maxCount);
    },
  );

  test("the release manifest names each service's record, counts and schedule", () => {
    const manifest = platform.output.release_manifest.value as Record<string, Json>;
    for (const [name, svc] of services) {
      expect(manifest[name].imageParameterName).toBe(`/${blueprint}/test/release/${name}/image`);
      if (svc.kind === "scheduled") expect(manifest[name].schedule).toBeDefined();
      else
        expect(manifest[name].counts).toEqual({
          desired: svc.desiredCount,
          min: svc.minCount,
          max: svc.maxCount,
        });
    }
  });
});

const SCHEDULED = Object.keys(BUILT_IN_BLUEPRINTS).flatMap((blueprint) =>
  Object.entries(CONFIGS[blueprint].services)
    .filter(([, s]) => s.kind === "scheduled")
    .map(([name]) => [blueprint, name] as const),
);

test("some built-in blueprint has a scheduled job (fraud's 6-hourly job)", () => {
  expect(SCHEDULED).toContainEqual(["fraud", "fraud-job"]);
});

test.each(SCHEDULED)(
  "%s scheduled job %s is disabled until its first release and runs the family's latest revision",
  (blueprint, name) => {
    const { platform } = synthApp(CONFIGS[blueprint]).stacks;
    const [parameterId] = oneOf(platform, "aws_ssm_parameter", name, "/release/");
    const [taskId] = oneOf(platform, "aws_ecs_task_definition", name);
    const [, schedule] = oneOf(platform, "aws_scheduler_schedule", name);
    expect(schedule.state).toBe(afterRelease(parameterId, '"ENABLED"', '"DISABLED"'));
    expect(schedule.target.ecs_parameters.task_definition_arn).toBe(
      ref("aws_ecs_task_definition", taskId, "arn_without_revision"),
    );
  },
);

test("fraud carries its brief's counts once released: API 2-10 tasks, worker 1-5", () => {
  const { platform } = synthApp(CONFIGS.fraud).stacks;
  for (const [name, min, max] of [
    ["fraud-api", 2, 10],
    ["fraud-worker", 1, 5],
  ] as const) {
    const [parameterId] = oneOf(platform, "aws_ssm_parameter", name, "/release/");
    const [, target] = oneOf(platform, "aws_appautoscaling_target", name);
    expect([target.min_capacity, target.max_capacity]).toEqual([afterRelease(parameterId, min, 0), max]);
  }
});

test("two environments of one blueprint record their images in different parameters", () => {
  const a = new Naming("trading", "dev").releaseParameter("frontend");
  const b = new Naming("trading", "pr12").releaseParameter("frontend");
  expect([a, b]).toEqual(["/trading/dev/release/frontend/image", "/trading/pr12/release/frontend/image"]);
});

describe("blueprint fields the release record replaced", () => {
  test.each([
    [
      "imageTag",
      "v1",
      /services\.frontend\.imageTag: "v1": is no longer a blueprint field: the image a service runs is recorded per environment by `npm run release/,
    ],
    [
      "startAtZero",
      true,
      /services\.frontend\.startAtZero: true: is no longer a blueprint field: every service starts with 0 tasks until its first release/,
    ],
  ])("fails on %s with what replaced it", (field, value, message) => {
    const bp = blueprintWith("trading", (b) => {
      (b.services.frontend as Record<string, unknown>)[field] = value;
    });
    expect(() => parseBlueprint(bp, "blueprints.trading")).toThrow(ConfigError);
    expect(() => parseBlueprint(bp, "blueprints.trading")).toThrow(message);
  });
});
