import "cdktf/lib/testing/adapters/jest";
import { DatabaseSchema, RegistrySchema } from "../../config/schema";
import { Naming } from "../../modules/naming";
import { AuroraDatabase } from "../../modules/database";
import { EcrRepository } from "../../modules/ecr-repository";
import { PlatformKmsKey } from "../../modules/kms-key";
import { ApplicationSecrets } from "../../modules/secrets";
import {
  LIFECYCLE_PROFILES,
  lifecyclePolicy,
  LifecycleProfile,
  statefulLifecycle,
} from "../../modules/lifecycle";
import { all, only, synthScope } from "./synth-scope";

const KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/platform";

/** The stateful modules of the platform, built with one profile's policy. */
function stateful(profile: LifecycleProfile) {
  return synthScope((scope) => {
    const naming = new Naming("shop", profile === "persistent" ? "production" : "pr1");
    const lifecycle = lifecyclePolicy(profile);
    new PlatformKmsKey(scope, "kms", { naming, region: "eu-west-1", lifecycle });
    new AuroraDatabase(scope, "db", {
      naming,
      config: DatabaseSchema.parse({}),
      vpcId: "vpc-1",
      subnetIds: ["subnet-a", "subnet-b"],
      kmsKeyArn: KEY_ARN,
      lifecycle,
    });
    new EcrRepository(scope, "repo", {
      naming,
      image: "web",
      registry: RegistrySchema.parse({}),
      accountId: "111122223333",
      partition: "aws",
      lifecycle,
    });
    new ApplicationSecrets(scope, "secrets", {
      naming,
      secrets: { token: { source: "create", description: "t", generate: false } },
      kmsKeyArn: KEY_ARN,
      lifecycle,
    });
  });
}

describe("lifecycle policies", () => {
  test("ephemeral protects nothing; persistent protects everything", () => {
    expect(lifecyclePolicy("ephemeral")).toEqual({
      profile: "ephemeral",
      deletionProtection: false,
      skipFinalSnapshot: true,
      deleteAutomatedBackups: true,
      timestampedFinalSnapshot: false,
      secretRecoveryWindowDays: 0,
      forceDeleteImages: true,
      forceDestroyBuckets: true,
      kmsDeletionWindowDays: 7,
      preventDestroy: false,
    });
    expect(lifecyclePolicy("persistent")).toEqual({
      profile: "persistent",
      deletionProtection: true,
      skipFinalSnapshot: false,
      deleteAutomatedBackups: false,
      timestampedFinalSnapshot: false,
      secretRecoveryWindowDays: 30,
      forceDeleteImages: false,
      forceDestroyBuckets: false,
      kmsDeletionWindowDays: 30,
      preventDestroy: true,
    });
  });

  test("retiring is persistent without what blocks a destroy: the data stays", () => {
    expect(lifecyclePolicy("retiring")).toEqual({
      ...lifecyclePolicy("persistent"),
      profile: "retiring",
      deletionProtection: false,
      preventDestroy: false,
      timestampedFinalSnapshot: true,
      // ALB access logs only (docs/decisions.md, "Retiring profile").
      forceDestroyBuckets: true,
    });
  });

  test("modules default to ephemeral", () => {
    expect(lifecyclePolicy()).toBe(lifecyclePolicy("ephemeral"));
    expect(LIFECYCLE_PROFILES).toEqual(["ephemeral", "persistent", "retiring"]);
  });

  test("statefulLifecycle adds prevent_destroy to a resource's own lifecycle only when persistent", () => {
    const own = { ignoreChanges: ["engine_version"] };
    expect(statefulLifecycle(lifecyclePolicy("ephemeral"), own)).toBe(own);
    expect(statefulLifecycle(lifecyclePolicy("ephemeral"))).toBeUndefined();
    expect(statefulLifecycle(lifecyclePolicy("persistent"), own)).toEqual({ ...own, preventDestroy: true });
    expect(own).toEqual({ ignoreChanges: ["engine_version"] });
  });
});

describe.each(LIFECYCLE_PROFILES)("stateful modules, %s", (profile) => {
  const json = stateful(profile);
  /** Whether destroy is blocked (persistent), and whether the data outlives a destroy (not ephemeral). */
  const guard = profile === "persistent";
  const keep = profile !== "ephemeral";

  test("the database's deletion protection, final snapshot and backups follow the profile", () => {
    const cluster = only(json, "aws_rds_cluster");
    expect(cluster.deletion_protection).toBe(guard);
    expect(cluster.skip_final_snapshot).toBe(!keep);
    expect(cluster.delete_automated_backups).toBe(!keep);
    expect(cluster.final_snapshot_identifier).toBe(
      {
        ephemeral: undefined,
        persistent: "aurora-shop-final-production",
        retiring: 'aurora-shop-final-pr1-${formatdate("YYYYMMDDhhmmss", plantimestamp())}',
      }[profile],
    );
    expect(cluster.lifecycle).toEqual(
      guard
        ? { ignore_changes: ["engine_version"], prevent_destroy: true }
        : { ignore_changes: ["engine_version"] },
    );
    // Instances are replaceable: never prevent_destroy (a class change must still apply).
    for (const instance of Object.values(all(json, "aws_rds_cluster_instance")))
      expect(instance.lifecycle.prevent_destroy).toBeUndefined();
  });

  test("the repository keeps its images unless ephemeral", () => {
    const repo = only(json, "aws_ecr_repository");
    expect(repo.force_delete).toBe(!keep);
    expect(repo.lifecycle?.prevent_destroy).toBe(guard ? true : undefined);
  });

  test("secrets get the profile's recovery window", () => {
    const secret = only(json, "aws_secretsmanager_secret");
    expect(secret.recovery_window_in_days).toBe(keep ? 30 : 0);
    expect(secret.lifecycle?.prevent_destroy).toBe(guard ? true : undefined);
  });

  test("the key gets the profile's deletion window", () => {
    const key = only(json, "aws_kms_key");
    expect(key.deletion_window_in_days).toBe(keep ? 30 : 7);
    expect(key.lifecycle?.prevent_destroy).toBe(guard ? true : undefined);
  });
});
