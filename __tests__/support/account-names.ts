/**
 * Account-scoped names of synthesized stacks (used by __tests__/stacks/app.cases.ts). Several blueprints deployed into one account with the same environment suffix: no two may
 * share a name AWS keeps unique per account and region. IAM, ECR and log groups would fail at
 * apply; alarms, dashboards and X-Ray groups would be overwritten silently; the release CLI
 * would register the other blueprint's task definition family.
 */
import type { Json } from "./synth";

/** Resource types whose name is unique per account and region, and the attribute holding it. */
const ACCOUNT_SCOPED: Record<string, string> = {
  aws_iam_role: "name",
  aws_iam_policy: "name",
  aws_cloudwatch_log_group: "name",
  aws_ecr_repository: "name",
  aws_lb: "name",
  aws_lb_target_group: "name",
  aws_cloudwatch_metric_alarm: "alarm_name",
  aws_cloudwatch_composite_alarm: "alarm_name",
  aws_cloudwatch_dashboard: "dashboard_name",
  aws_xray_group: "group_name",
  aws_xray_sampling_rule: "rule_name",
  aws_ssm_parameter: "name",
  aws_ecs_task_definition: "family",
  aws_ecs_cluster: "name",
  aws_sqs_queue: "name",
  aws_sns_topic: "name",
  aws_secretsmanager_secret: "name",
  aws_kms_alias: "name",
  aws_scheduler_schedule_group: "name",
  aws_codedeploy_app: "name",
  aws_cloudwatch_event_rule: "name",
  aws_cloudwatch_query_definition: "name",
  aws_rds_cluster: "cluster_identifier",
  aws_rds_cluster_instance: "identifier",
  aws_db_subnet_group: "name",
  aws_rds_cluster_parameter_group: "name",
  aws_acmpca_certificate_authority: "-",
  aws_s3_bucket: "bucket",
};

/**
 * Named resource types whose names are unique only inside something that is itself per
 * environment (a VPC, cluster, namespace, role, log group, schedule group, scalable target,
 * CodeDeploy application), or that have no unique name at all (Name tags).
 */
const SCOPED_BELOW_ACCOUNT = new Set([
  "aws_security_group", // per VPC
  "aws_ecs_service", // per cluster
  "aws_service_discovery_service", // per namespace
  "aws_service_discovery_private_dns_namespace", // per VPC (name carries the suffix and blueprint)
  "aws_iam_role_policy", // per role
  "aws_cloudwatch_log_metric_filter", // per log group
  "aws_scheduler_schedule", // per schedule group
  "aws_appautoscaling_policy", // per scalable target
  "aws_codedeploy_deployment_group", // per CodeDeploy application
  "aws_db_parameter_group", // per blueprint database (name carries the blueprint)
  // S3 bucket configuration resources name their bucket, not themselves.
  "aws_s3_bucket_lifecycle_configuration",
  "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_policy",
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_versioning",
]);

const NAME_ATTRIBUTES = [
  "name",
  "alarm_name",
  "dashboard_name",
  "group_name",
  "rule_name",
  "family",
  "identifier",
  "cluster_identifier",
  "bucket",
];

export interface Named {
  readonly blueprint: string;
  readonly address: string;
  readonly name: string;
}

/** Every account-scoped name of one blueprint's stacks, as `<type>:<name>`. */
export function accountScopedNames(blueprint: string, stacks: Record<string, Json>): Named[] {
  return Object.entries(stacks).flatMap(([stack, json]) =>
    Object.entries((json.resource ?? {}) as Record<string, Record<string, Json>>).flatMap(([type, byId]) => {
      const attribute = ACCOUNT_SCOPED[type];
      if (attribute === undefined || attribute === "-") return [];
      return Object.entries(byId)
        .filter(([, r]) => typeof r[attribute] === "string")
        .map(([id, r]) => ({
          blueprint,
          address: `${stack}.${type}.${id}`,
          name: `${type}:${r[attribute]}`,
        }));
    }),
  );
}

/** Names shared by more than one resource, each with its owners. */
export function sharedNames(all: readonly Named[]): string[] {
  const owners = new Map<string, Named[]>();
  for (const n of all) owners.set(n.name, [...(owners.get(n.name) ?? []), n]);
  return [...owners.values()]
    .filter((list) => list.length > 1)
    .map((list) => `${list[0].name}: ${list.map((n) => `${n.blueprint}/${n.address}`).join(", ")}`);
}

/** Resource types with a name attribute that are neither account-scoped nor known to be scoped below. */
export function unclassifiedNamedTypes(stacks: Record<string, Json>): string[] {
  const unclassified = new Set<string>();
  for (const json of Object.values(stacks))
    for (const [type, byId] of Object.entries((json.resource ?? {}) as Record<string, Record<string, Json>>))
      if (
        !(type in ACCOUNT_SCOPED) &&
        !SCOPED_BELOW_ACCOUNT.has(type) &&
        Object.values(byId).some((r) => NAME_ATTRIBUTES.some((a) => typeof r[a] === "string"))
      )
        unclassified.add(type);
  return [...unclassified];
}
