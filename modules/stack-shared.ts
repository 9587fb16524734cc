/**
 * Data sources that every service of a stack would otherwise repeat, created once per stack:
 * the account, partition and region lookups, and policy documents that are the same for every
 * service (the ECS tasks trust policy, the CodeDeploy trust policy, the ECR pull policy).
 * One data source instead of one per service: fewer reads in every `terraform plan`, and a
 * synth that grows more slowly with the catalog (docs/benchmark.md).
 */
import { TerraformStack } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import {
  DataAwsIamPolicyDocument,
  type DataAwsIamPolicyDocumentConfig,
} from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ConstructClass<T> = abstract new (...args: any[]) => T;

/** The construct `id` at the root of `scope`'s stack, created by `create` on first use. */
function stackSingleton<T extends IConstruct>(
  scope: IConstruct,
  id: string,
  type: ConstructClass<T>,
  create: (stack: TerraformStack) => T,
): T {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(id);
  if (existing === undefined) return create(stack);
  if (!(existing instanceof type)) {
    throw new Error(
      `stack "${stack.node.id}" already has a construct "${id}" that is not a ${type.name}: ` +
        `the shared ${type.name} needs that id at the stack root`,
    );
  }
  return existing;
}

/** A data source that takes no arguments, at the root of `stack` under `id`. */
function lookup<T extends IConstruct>(
  stack: TerraformStack,
  id: string,
  type: new (scope: Construct, id: string) => T,
): T {
  return stackSingleton(stack, id, type, (s) => new type(s, id));
}

/** `read`, called once and remembered. */
function once<T>(read: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= read());
}

/** Where the stack deploys: account, partition and region, each a Terraform expression. */
export interface AwsContext {
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
}

const contexts = new WeakMap<TerraformStack, AwsContext>();

/**
 * The stack's account, partition and region lookups (`data.aws_caller_identity.account` …).
 * The same strings on every call for a stack, so documents built from them compare equal.
 */
export function awsContext(scope: IConstruct): AwsContext {
  const stack = TerraformStack.of(scope);
  const known = contexts.get(stack);
  if (known !== undefined) return known;
  // Each lookup is created on first use, so a stack that needs only the account gets only that.
  const account = once(() => lookup(stack, "account", DataAwsCallerIdentity).accountId);
  const partition = once(() => lookup(stack, "partition", DataAwsPartition).partition);
  const region = once(() => lookup(stack, "region", DataAwsRegion).region);
  const context: AwsContext = {
    get accountId() {
      return account();
    },
    get partition() {
      return partition();
    },
    get region() {
      return region();
    },
  };
  contexts.set(stack, context);
  return context;
}

const documentContent = new WeakMap<DataAwsIamPolicyDocument, string>();

/**
 * A policy document shared by the whole stack under `id`. Every caller must pass the same
 * statements (tokens included): a different document under the same id is an error, not a
 * silent reuse.
 */
export function sharedPolicyDocument(
  scope: IConstruct,
  id: string,
  config: DataAwsIamPolicyDocumentConfig,
): DataAwsIamPolicyDocument {
  const content = JSON.stringify(config);
  const document = stackSingleton(scope, id, DataAwsIamPolicyDocument, (stack) => {
    const created = new DataAwsIamPolicyDocument(stack, id, config);
    documentContent.set(created, content);
    return created;
  });
  if (documentContent.get(document) !== content) {
    throw new Error(
      `shared policy document "${id}" of stack "${TerraformStack.of(scope).node.id}" was created with other ` +
        `statements: a different document needs its own id`,
    );
  }
  return document;
}

/**
 * The stack's trust policy letting one AWS service principal (`codedeploy.amazonaws.com`)
 * assume a role, shared under `id`.
 */
export function serviceTrustDocument(
  scope: IConstruct,
  id: string,
  principal: string,
): DataAwsIamPolicyDocument {
  return sharedPolicyDocument(scope, id, {
    statement: [
      {
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: [principal] }],
      },
    ],
  });
}
