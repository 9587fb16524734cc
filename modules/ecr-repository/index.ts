import { Construct } from "constructs";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository as AwsEcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcrRepositoryPolicy } from "@cdktf/provider-aws/lib/ecr-repository-policy";
import type { Blueprint } from "../../config/schema";
import type { Naming } from "../naming";
import { sharedPolicyDocument } from "../stack-shared";
import { lifecyclePolicy, LifecyclePolicy, statefulLifecycle } from "../lifecycle";

export type RegistryConfig = Blueprint["registry"];

/** The actions a client needs to pull an image (what the repository policy governs). */
export const PULL_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:BatchGetImage",
  "ecr:GetDownloadUrlForLayer",
] as const;

export interface EcrRepositoryProps {
  /** Builds the repository name (`ecr-repo-<image>-<suffix>`). */
  readonly naming: Naming;
  /** Image name (a service's `image`, or its name). */
  readonly image: string;
  /** The blueprint's `registry` section: scanning, tag mutability, lifecycle numbers. */
  readonly registry: RegistryConfig;
  /** The account whose principals may pull (e.g. `DataAwsCallerIdentity.accountId`). */
  readonly accountId: string;
  /** The AWS partition of that account (e.g. `DataAwsPartition.partition`). */
  readonly partition: string;
  /** What a destroy may take (modules/lifecycle). @default ephemeral */
  readonly lifecycle?: LifecyclePolicy;
}

/** One lifecycle rule in ECR's lifecycle policy grammar. */
export interface LifecycleRule {
  readonly rulePriority: number;
  readonly description: string;
  readonly selection: {
    readonly tagStatus: "tagged" | "untagged" | "any";
    readonly countType: "imageCountMoreThan" | "sinceImagePushed";
    readonly countUnit?: "days";
    readonly countNumber: number;
  };
  readonly action: { readonly type: "expire" };
}

/**
 * The lifecycle policy: untagged images expire after `untaggedExpiryDays`; beyond the newest
 * `imagesKept` images, older ones expire. ECR requires the `any` rule to carry the highest
 * rulePriority (it is evaluated last); an image matched by the untagged rule cannot be
 * expired by the `any` rule, so untagged images only ever leave by age.
 */
export function lifecycleRules(registry: RegistryConfig): LifecycleRule[] {
  return [
    {
      rulePriority: 1,
      description: `Expire untagged images ${registry.untaggedExpiryDays} day(s) after push`,
      selection: {
        tagStatus: "untagged",
        countType: "sinceImagePushed",
        countUnit: "days",
        countNumber: registry.untaggedExpiryDays,
      },
      action: { type: "expire" },
    },
    {
      rulePriority: 2,
      description: `Keep the last ${registry.imagesKept} images`,
      selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: registry.imagesKept },
      action: { type: "expire" },
    },
  ];
}

/**
 * A private ECR repository for one image: scanned on push, immutable tags, encrypted with the
 * AWS-managed KMS key, lifecycle-managed, pullable only by principals of this account, and
 * `force_delete` so a test environment's destroy does not stop at a non-empty repository.
 */
export class EcrRepository extends Construct {
  readonly repository: AwsEcrRepository;
  readonly name: string;
  readonly arn: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` */
  readonly url: string;

  constructor(scope: Construct, id: string, props: EcrRepositoryProps) {
    super(scope, id);
    const { registry } = props;
    this.name = props.naming.name("ecrRepository", props.image);

    this.repository = new AwsEcrRepository(this, "repository", {
      name: this.name,
      imageTagMutability: registry.immutableTags ? "IMMUTABLE" : "MUTABLE",
      imageScanningConfiguration: { scanOnPush: registry.scanOnPush },
      // KMS without a key ARN = the AWS-managed aws/ecr key: encryption at rest with no key
      // policy to maintain. Changing encryption later replaces the repository.
      encryptionConfiguration: [{ encryptionType: "KMS" }],
      // ephemeral: a destroy deletes the images with the repository; persistent: the repository
      // and its images are kept (prevent_destroy; ECR refuses to delete a non-empty repository).
      forceDelete: (props.lifecycle ?? lifecyclePolicy()).forceDeleteImages,
      lifecycle: statefulLifecycle(props.lifecycle ?? lifecyclePolicy()),
    });
    this.arn = this.repository.arn;
    this.url = this.repository.repositoryUrl;

    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: JSON.stringify({ rules: lifecycleRules(registry) }),
    });

    // Allow this account's principals (their IAM policies still decide), and deny pulls by
    // any principal of another account even if a later statement were to allow it. Service
    // principals carry no aws:PrincipalAccount and are denied too: ECS pulls with the task
    // execution role, so nothing here needs a service principal.
    // The same for every repository of the stack: one data source.
    const policy = sharedPolicyDocument(this, "ecr-pull-policy", {
      statement: [
        {
          sid: "AllowPullFromThisAccount",
          effect: "Allow",
          principals: [{ type: "AWS", identifiers: [`arn:${props.partition}:iam::${props.accountId}:root`] }],
          actions: [...PULL_ACTIONS],
        },
        {
          sid: "DenyPullFromOtherAccounts",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: [...PULL_ACTIONS],
          condition: [
            { test: "StringNotEquals", variable: "aws:PrincipalAccount", values: [props.accountId] },
          ],
        },
      ],
    });
    new EcrRepositoryPolicy(this, "repository-policy", {
      repository: this.repository.name,
      policy: policy.json,
    });
  }
}
