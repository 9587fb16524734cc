import "cdktf/lib/testing/adapters/jest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import { configFor, synthApp } from "../support/synth";
import { STACK_DEPENDENCIES, STACK_IDS } from "../../stacks/base";
import { BUILT_IN_BLUEPRINTS } from "../../config/blueprints";
import { accountScopedNames, sharedNames, unclassifiedNamedTypes } from "../support/account-names";

// One config per blueprint (all with the suffix "test"), so synthApp synthesizes each app once.
const CONFIGS = Object.fromEntries(Object.keys(BUILT_IN_BLUEPRINTS).map((b) => [b, configFor(b)]));

describe("platform app", () => {
  const { stacks } = synthApp(CONFIGS.trading);

  test("builds the state, network, registry, platform and observability stacks", () => {
    expect(Object.keys(stacks).sort()).toEqual(["network", "observability", "platform", "registry", "state"]);
  });

  test("every deployable stack has a distinct S3 backend key under <blueprint>/<suffix>/", () => {
    const keys = ["network", "registry", "platform", "observability"].map(
      (id) => stacks[id].terraform.backend.s3.key,
    );
    expect(keys).toEqual([
      "trading/test/network.tfstate",
      "trading/test/registry.tfstate",
      "trading/test/platform.tfstate",
      "trading/test/observability.tfstate",
    ]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test("backends are encrypted and use S3-native locking", () => {
    for (const id of ["network", "registry", "platform", "observability"]) {
      expect(stacks[id].terraform.backend.s3).toMatchObject({
        bucket: "tfstate-trading-platform",
        region: "us-east-1",
        encrypt: true,
        use_lockfile: true,
      });
    }
  });

  test("deployable stacks require Terraform 1.10 or later (S3-native locking), platform 1.11 (write-only secrets)", () => {
    for (const id of ["network", "registry", "observability"]) {
      expect(stacks[id].terraform.required_version).toBe(">= 1.10.0");
    }
    expect(stacks.platform.terraform.required_version).toBe(">= 1.11.0");
  });

  test("the state stack keeps its own state locally", () => {
    expect(stacks.state.terraform.backend.local).toBeDefined();
  });

  test("every stack's provider sets the region and the required default tags", () => {
    for (const [id, stack] of Object.entries(stacks)) {
      const provider = stack.provider.aws[0];
      expect(provider.region).toBe("us-east-1");
      expect(provider.default_tags[0].tags).toMatchObject({
        Environment: "test",
        Team: "trading-platform",
        CostCenter: "trading",
        Project: "trading-app",
        Stack: id,
      });
    }
  });

  test.each(Object.keys(BUILT_IN_BLUEPRINTS))(
    "%s: the stacks depend on each other exactly as STACK_DEPENDENCIES says (what cdktf deploy and destroy check)",
    (blueprint) => {
      const { app } = synthApp(CONFIGS[blueprint]);
      const manifest = JSON.parse(
        readFileSync(join((app.state.node.root as App).outdir, "manifest.json"), "utf8"),
      ) as { stacks: Record<string, { dependencies: string[] }> };
      for (const id of STACK_IDS) {
        expect(app[id].dependencies.map((d) => d.node.id).sort()).toEqual([...STACK_DEPENDENCIES[id]].sort());
        expect([...manifest.stacks[id].dependencies].sort()).toEqual([...STACK_DEPENDENCIES[id]].sort());
      }
      expect(app.state.dependencies).toEqual([]);
      expect(manifest.stacks.state.dependencies).toEqual([]);
    },
  );
});

// Several blueprints in one account with the same suffix: IAM, ECR and log groups would fail at
// apply, alarms, dashboards and X-Ray groups would be overwritten silently, and the release CLI
// would register the other blueprint's task definition family.
describe("all built-in blueprints in one account with the same suffix", () => {
  const synthesized = Object.keys(BUILT_IN_BLUEPRINTS).map((blueprint) => ({
    blueprint,
    stacks: synthApp(CONFIGS[blueprint]).stacks,
  }));
  const all = synthesized.flatMap(({ blueprint, stacks }) => accountScopedNames(blueprint, stacks));

  test("no two resources share an account-scoped name", () => {
    expect(sharedNames(all)).toEqual([]);
  });

  test("the check covers roles, log groups, repositories, target groups, alarms, dashboards, X-Ray, release records and task families", () => {
    const types = new Set(all.map((n) => n.name.split(":")[0]));
    for (const type of [
      "aws_iam_role",
      "aws_cloudwatch_log_group",
      "aws_ecr_repository",
      "aws_lb_target_group",
      "aws_cloudwatch_metric_alarm",
      "aws_cloudwatch_dashboard",
      "aws_xray_group",
      "aws_xray_sampling_rule",
      "aws_ssm_parameter",
      "aws_ecs_task_definition",
    ])
      expect(types).toContain(type);
  });

  test("every named resource type is classified, so a new account-scoped type cannot slip past", () => {
    expect(synthesized.flatMap(({ stacks }) => unclassifiedNamedTypes(stacks))).toEqual([]);
  });
});
