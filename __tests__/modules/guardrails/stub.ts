/**
 * A stub stack for guardrail tests: an AWS provider with the required default tags, the
 * constructs a test adds, and the guardrail report over its synthesized JSON.
 */
import { TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { evaluateStack, Finding, GuardrailOptions, GuardrailReport } from "../../../modules/guardrails";

export const TAGS = { Environment: "test", Team: "platform", CostCenter: "cc-1", Project: "guardrails" };

/** A stack with a tagged AWS provider and whatever `build` adds. */
export function stubStack(
  build: (stack: TerraformStack) => void,
  tags: Record<string, string> = TAGS,
): TerraformStack {
  const stack = new TerraformStack(Testing.app(), "stub");
  new AwsProvider(stack, "aws", { region: "us-east-1", defaultTags: [{ tags }] });
  build(stack);
  return stack;
}

/** The report of a stub stack built by `build`. */
export function reportFor(
  build: (stack: TerraformStack) => void,
  options: Partial<GuardrailOptions> = {},
  tags?: Record<string, string>,
): GuardrailReport {
  return evaluateStack(stubStack(build, tags), { environmentSuffix: "test", ...options });
}

/** Unsuppressed findings (errors and warnings). */
export function findingsOf(report: GuardrailReport): Finding[] {
  return [...report.errors, ...report.warnings];
}

/** A container that passes every container rule. */
export const goodContainer = {
  name: "app",
  image: "public.ecr.aws/x/app:1",
  essential: true,
  readonlyRootFilesystem: true,
  logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/app-test" } },
  environment: [
    { name: "LOG_LEVEL", value: "info" },
    { name: "DB_SECRET_ARN", value: "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-test" },
  ],
  secrets: [
    { name: "DB_PASSWORD", valueFrom: "arn:aws:secretsmanager:us-east-1:111122223333:secret:db-test" },
  ],
};

/** A Fargate task definition with the given containers. */
export function taskDefinition(
  stack: TerraformStack,
  containers: Record<string, unknown>[],
  extra: Partial<ConstructorParameters<typeof EcsTaskDefinition>[2]> = {},
): EcsTaskDefinition {
  return new EcsTaskDefinition(stack, "task", {
    family: "task-app-test",
    cpu: "256",
    memory: "512",
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    containerDefinitions: JSON.stringify(containers),
    ...extra,
  });
}
