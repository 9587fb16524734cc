import { identityStatements } from "../stack-view";
import type { Rule } from "../types";

/**
 * Actions AWS defines without resource-level permissions: the Service Authorization Reference
 * lists no resource type for them, so `Resource: "*"` is the only valid scope.
 */
export const RESOURCELESS_ACTIONS: readonly string[] = [
  // ECR login token: account-wide by design; pulls are scoped to repository ARNs separately.
  "ecr:GetAuthorizationToken",
  // X-Ray daemon / ADOT collector: trace and sampling APIs have no resources.
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "xray:GetSamplingStatisticSummaries",
  // Custom metrics: scoped with the cloudwatch:namespace condition key instead.
  "cloudwatch:PutMetricData",
  "cloudwatch:GetMetricData",
  // ECS Exec session channels.
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  // Release pipelines register and read task definition revisions (no ARN before creation).
  "ecs:RegisterTaskDefinition",
  "ecs:DeregisterTaskDefinition",
  "ecs:DescribeTaskDefinition",
  "ecs:ListTaskDefinitions",
  // Cloud Map discovery: scoped with the servicediscovery:NamespaceName condition key.
  "servicediscovery:DiscoverInstances",
  // Describe/list calls without resource types.
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
  "ec2:DescribeSecurityGroups",
  "ec2:DescribeVpcs",
  "secretsmanager:GetRandomPassword",
  "secretsmanager:ListSecrets",
  "sqs:ListQueues",
  "sts:GetCallerIdentity",
];

const allowed = new Set(RESOURCELESS_ACTIONS.map((a) => a.toLowerCase()));

export const IAM2: Rule = {
  id: "IAM2",
  severity: "error",
  control: "IAM.1",
  category: "security",
  info: 'Identity policies use `Resource: "*"` only for actions AWS defines without resources',
  explanation:
    'A statement on `"*"` reaches every resource of the account, other environments included. Scope it to the ARNs the role works on; only actions without resource-level permissions (see RESOURCELESS_ACTIONS in modules/guardrails/rules/iam2-wildcard-resources.ts) may use "*", ideally with a condition key.',
  check: (stack) =>
    identityStatements(stack)
      .filter((s) => s.effect === "Allow" && s.resources.includes("*"))
      .map((s) => ({ s, scoped: s.actions.filter((a) => !allowed.has(a.toLowerCase())) }))
      .filter(({ scoped }) => scoped.length > 0)
      .map(({ s, scoped }) => ({
        address: s.source.address,
        path: s.source.path,
        detail: `statement ${s.sid ?? "(no sid)"} allows ${scoped.join(", ")} on "*"`,
      })),
};
