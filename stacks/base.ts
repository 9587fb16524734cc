import { S3Backend, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider, AwsProviderConfig } from "@cdktf/provider-aws/lib/provider";
import type { PlatformConfig } from "../config";
import { Naming, stateKmsAliasName } from "../modules/naming";

/** Stack ids, in deploy order. `state` is bootstrapped once by hand with a local backend. */
export const STACK_IDS = ["network", "registry", "platform", "observability"] as const;
export type StackId = (typeof STACK_IDS)[number];

/**
 * The stacks each stack depends on: the ones whose outputs it reads through cross-stack
 * references, i.e. the edges `cdktf deploy` and `cdktf destroy` check. stacks/app.ts builds
 * exactly these (a test compares them with the dependencies cdktf records); scripts read the
 * graph from here instead of spelling it out again.
 */
export const STACK_DEPENDENCIES: { readonly [S in StackId]: readonly StackId[] } = {
  network: [],
  registry: [],
  platform: ["network"],
  observability: ["platform"],
};

/** The stacks that depend on `stack`, directly or through other stacks, in STACK_IDS order. */
export function dependantsOf(stack: StackId): StackId[] {
  const found = new Set<StackId>();
  const visit = (id: StackId): void => {
    for (const candidate of STACK_IDS) {
      if (STACK_DEPENDENCIES[candidate].includes(id) && !found.has(candidate)) {
        found.add(candidate);
        visit(candidate);
      }
    }
  };
  visit(stack);
  return STACK_IDS.filter((id) => found.has(id));
}

export interface PlatformStackProps {
  readonly config: PlatformConfig;
  readonly naming: Naming;
}

/**
 * What every deployable stack shares: the AWS provider with the blueprint's region and
 * `default_tags` (so no taggable resource can miss the tags), and an S3 backend whose key is
 * `<blueprint>/<environmentSuffix>/<stack>.tfstate`, encrypted, with S3-native locking.
 */
export abstract class BaseStack extends TerraformStack {
  readonly config: PlatformConfig;
  readonly naming: Naming;

  constructor(scope: Construct, id: StackId, props: PlatformStackProps) {
    super(scope, id);
    this.config = props.config;
    this.naming = props.naming;
    new AwsProvider(this, "aws", {
      region: props.config.region,
      defaultTags: [{ tags: platformTags(props.config, id) }],
      ...providerAccount(props.config),
    });
    const backend = new S3Backend(this, {
      bucket: props.config.state.bucket,
      key: props.naming.stateKey(id),
      region: props.config.state.region,
      encrypt: true,
      // Without it Terraform writes state objects with SSE-S3, overriding the bucket's KMS default.
      kmsKeyId: stateKmsAliasName(props.config.state.bucket),
    });
    // S3-native state locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no typed prop for it.
    backend.addOverride("use_lockfile", true);
    // Older Terraform would reject use_lockfile only after reading the backend: say it up front.
    this.addOverride("terraform.required_version", ">= 1.10.0");
  }
}

/**
 * The account guard of an environment that names its account: `allowed_account_ids` makes
 * Terraform refuse to plan or apply with credentials of any other account. `assume_role` is
 * emitted only on request (TF_ASSUME_ROLE=true, config.assumeRole): in CI the workflow's OIDC
 * role already is the deploy role (a role assuming itself fails unless its trust policy names
 * it), and the pull-request diff role must not be trusted by the deploy role (README, "Who may
 * assume what"). The S3 backend always uses the ambient credentials.
 */
export function providerAccount(
  config: PlatformConfig,
): Pick<AwsProviderConfig, "allowedAccountIds" | "assumeRole"> {
  const account = config.account;
  if (!account) return {};
  return {
    allowedAccountIds: [account.id],
    assumeRole:
      config.assumeRole && account.roleArn
        ? [
            {
              roleArn: account.roleArn,
              // Shows in CloudTrail as the assumed-role session: which environment made the call
              // (RoleSessionName: 2-64 characters of [\w+=,.@-]).
              sessionName: `cdktf-${config.name}-${config.environmentSuffix}`.slice(0, 64),
              externalId: account.externalId,
            },
          ]
        : undefined,
  };
}

/** The tags every resource carries: the blueprint's, plus where it was built from. */
export function platformTags(config: PlatformConfig, stack: string): Record<string, string> {
  return {
    ...config.tags,
    Environment: config.tags.Environment ?? config.environmentSuffix,
    Blueprint: config.name,
    EnvironmentSuffix: config.environmentSuffix,
    Stack: stack,
    ManagedBy: "cdktf",
  };
}
