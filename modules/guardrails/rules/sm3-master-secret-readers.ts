import { violation } from "../stack-view";
import type { Rule } from "../types";

/** Construct path part of the one task definition allowed to inject the master secret. */
export const DATABASE_BOOTSTRAP_PATH = "/database-bootstrap/";

export const SM3: Rule = {
  id: "SM3",
  severity: "error",
  category: "security",
  info: "Only the database bootstrap task injects the RDS-managed master secret",
  explanation:
    "A secret injected into a task is read once at start; after the master password rotates, a service holding it fails on new connections until replaced, and every such service holds the master credentials. Services connect with IAM authentication as their own user (usesDatabase); only the bootstrap task (modules/database/iam-users.ts) reads the master secret.",
  check: (stack) =>
    stack
      .resourcesOf("aws_ecs_task_definition")
      .filter((td) => !td.path.includes(DATABASE_BOOTSTRAP_PATH))
      // The raw JSON: a reference to the secret reads `${aws_rds_cluster.<id>.master_user_secret[0]…}`.
      .filter((td) => String(td.attrs.container_definitions).includes("master_user_secret"))
      .map((td) => violation(td, "injects the RDS master user secret")),
};
