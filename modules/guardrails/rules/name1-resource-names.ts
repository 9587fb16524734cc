import { NAME_RULES } from "../../naming";
import { isExpression, violation } from "../stack-view";
import type { Rule, TfBlock, Violation } from "../types";

/** Name attributes by Terraform type, with their AWS length limits (the naming module's where it has the kind). */
export const NAME_ATTRIBUTES: Readonly<Record<string, Readonly<Record<string, number>>>> = {
  aws_ecr_repository: { name: NAME_RULES.ecrRepository.max },
  aws_ecs_cluster: { name: NAME_RULES.ecsCluster.max },
  aws_ecs_service: { name: NAME_RULES.ecsService.max },
  aws_ecs_task_definition: { family: NAME_RULES.taskFamily.max },
  aws_ecs_capacity_provider: { name: NAME_RULES.capacityProvider.max },
  aws_lb: { name: NAME_RULES.loadBalancer.max, name_prefix: 6 },
  aws_alb: { name: NAME_RULES.loadBalancer.max, name_prefix: 6 },
  aws_lb_target_group: { name: NAME_RULES.targetGroup.max, name_prefix: 6 },
  aws_alb_target_group: { name: NAME_RULES.targetGroup.max, name_prefix: 6 },
  aws_security_group: { name: NAME_RULES.securityGroup.max, name_prefix: 100 },
  aws_iam_role: { name: NAME_RULES.iamRole.max, name_prefix: 38 },
  aws_iam_policy: { name: NAME_RULES.iamPolicy.max, name_prefix: 96 },
  aws_iam_role_policy: { name: NAME_RULES.iamPolicy.max },
  aws_cloudwatch_log_group: { name: NAME_RULES.logGroup.max, name_prefix: 483 },
  aws_kms_alias: { name: NAME_RULES.kmsAlias.max },
  aws_secretsmanager_secret: { name: NAME_RULES.secret.max, name_prefix: 480 },
  aws_sqs_queue: { name: NAME_RULES.sqsQueue.max },
  aws_sns_topic: { name: NAME_RULES.snsTopic.max },
  aws_service_discovery_service: { name: NAME_RULES.serviceDiscovery.max },
  aws_codedeploy_app: { name: NAME_RULES.codedeployApp.max },
  aws_codedeploy_deployment_group: { deployment_group_name: NAME_RULES.codedeployGroup.max },
  aws_scheduler_schedule: { name: NAME_RULES.schedule.max },
  aws_scheduler_schedule_group: { name: NAME_RULES.scheduleGroup.max },
  aws_rds_cluster: { cluster_identifier: NAME_RULES.dbCluster.max },
  aws_rds_cluster_instance: { identifier: NAME_RULES.dbCluster.max },
  aws_db_instance: { identifier: NAME_RULES.dbCluster.max },
  aws_db_subnet_group: { name: NAME_RULES.dbSubnetGroup.max },
  aws_rds_cluster_parameter_group: { name: NAME_RULES.dbParameterGroup.max },
  aws_db_parameter_group: { name: NAME_RULES.dbParameterGroup.max },
  aws_cloudwatch_dashboard: { dashboard_name: NAME_RULES.dashboard.max },
  aws_cloudwatch_metric_alarm: { alarm_name: NAME_RULES.alarm.max },
  aws_cloudwatch_composite_alarm: { alarm_name: NAME_RULES.alarm.max },
  aws_cloudwatch_query_definition: { name: NAME_RULES.logQuery.max },
  aws_cloudwatch_event_rule: { name: 64 },
  aws_xray_group: { group_name: NAME_RULES.xrayGroup.max },
  aws_xray_sampling_rule: { rule_name: NAME_RULES.xraySamplingRule.max },
  aws_s3_bucket: { bucket: 63, bucket_prefix: NAME_RULES.s3BucketPrefix.max },
};
/** AWS limit of a tag value (the `Name` tag is the console name of VPCs, subnets, gateways). */
const TAG_VALUE_MAX = 256;

const containsSuffix = (name: string, suffix: string) =>
  new RegExp(`(^|[^a-z0-9])${suffix}($|[^a-z0-9])`, "i").test(name);

function checkName(block: TfBlock, attr: string, max: number, suffix: string): Violation[] {
  const value = attr === "tags.Name" ? block.attrs.tags?.Name : block.attrs[attr];
  // Values computed by Terraform (references) cannot be judged at synth time.
  if (typeof value !== "string" || isExpression(value)) return [];
  const out: Violation[] = [];
  // A prefix is completed by Terraform with a random suffix, so it identifies the environment only if it contains ours.
  if (!containsSuffix(value, suffix))
    out.push(violation(block, `${attr} "${value}" does not contain the environment suffix "${suffix}"`));
  if (value.length > max)
    out.push(violation(block, `${attr} "${value}" is ${value.length} characters; AWS allows ${max}`));
  return out;
}

export const NAME1: Rule = {
  id: "NAME1",
  severity: "error",
  category: "naming",
  info: "Every resource name contains the environment suffix and respects its AWS length limit",
  explanation:
    "Two environments in one account collide on names without the suffix, and a name over its limit fails only at apply time (target groups and ALBs: 32 characters). Build every name with `Naming.name(kind, subject)` from modules/naming, which keeps the suffix and shortens deterministically.",
  check: (stack) =>
    stack.resources.flatMap((r) => [
      ...Object.entries(NAME_ATTRIBUTES[r.type] ?? {}).flatMap(([attr, max]) =>
        checkName(r, attr, max, stack.settings.environmentSuffix),
      ),
      ...checkName(r, "tags.Name", TAG_VALUE_MAX, stack.settings.environmentSuffix),
    ]),
};
