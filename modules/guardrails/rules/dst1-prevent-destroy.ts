import { isTrue, violation } from "../stack-view";
import type { Rule } from "../types";

export const DST1: Rule = {
  id: "DST1",
  severity: "error",
  category: "destroyability",
  profile: ["ephemeral", "retiring"],
  info: "No resource sets lifecycle.prevent_destroy",
  explanation:
    "Test environments are destroyed after every run; `prevent_destroy` makes `cdktf destroy` fail and leaves the environment half-deleted and billing. Protect production with IAM and backups, not with this flag. Persistent environments (`lifecycle: persistent`) check the protective mirror PRS1 instead.",
  check: (stack) =>
    stack.resources
      .filter((r) => isTrue(r.attrs.lifecycle?.prevent_destroy))
      .map((r) => violation(r, "lifecycle.prevent_destroy is true")),
};

/** Stateful resources a persistent environment must never lose to a plan. */
export const STATEFUL_TYPES = [
  "aws_rds_cluster",
  "aws_db_instance",
  "aws_ecr_repository",
  "aws_kms_key",
  "aws_secretsmanager_secret",
  // Deletion protection makes AWS refuse DeleteLoadBalancer, but Terraform would still destroy
  // the listeners, rules and target groups first: prevent_destroy stops the plan before any of it.
  "aws_lb",
] as const;

export const PRS1: Rule = {
  id: "PRS1",
  severity: "error",
  category: "destroyability",
  profile: "persistent",
  info: "Stateful resources set lifecycle.prevent_destroy",
  explanation:
    "In a persistent environment the database, repositories, keys and secrets hold what a rebuild cannot bring back; `prevent_destroy` makes Terraform refuse any plan that deletes or replaces them (a destroy, or a change that forces replacement). To retire the environment, switch it to `lifecycle: retiring` (protection off, final snapshot and images kept), apply, then destroy.",
  check: (stack) =>
    stack
      .resourcesOf(...STATEFUL_TYPES)
      .filter((r) => !isTrue(r.attrs.lifecycle?.prevent_destroy))
      .map((r) => violation(r, "lifecycle.prevent_destroy is not set")),
};
