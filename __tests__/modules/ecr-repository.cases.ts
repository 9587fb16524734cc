import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { EcrRepository, lifecycleRules, PULL_ACTIONS, RegistryConfig } from "../../modules/ecr-repository";
import { Naming } from "../../modules/naming";
import { dataSources, Json, onlyResource, resources } from "../support/synth";

const REGISTRY: RegistryConfig = {
  scanOnPush: true,
  immutableTags: true,
  imagesKept: 10,
  untaggedExpiryDays: 1,
};
const ACCOUNT = "123456789012";

function synthRepository(registry: RegistryConfig = REGISTRY, image = "order-processor"): Json {
  return JSON.parse(
    Testing.synthScope((scope) => {
      new EcrRepository(scope, "repo", {
        naming: new Naming("orders", "pr1234"),
        image,
        registry,
        accountId: ACCOUNT,
        partition: "aws",
      });
    }),
  );
}

const ref = (type: string, id: string, attr: string) => `\${${type}.${id}.${attr}}`;

describe("EcrRepository with the default registry settings", () => {
  const json = synthRepository();
  const [repoId, repo] = Object.entries(resources(json, "aws_ecr_repository"))[0];
  const rules = JSON.parse(onlyResource(json, "aws_ecr_lifecycle_policy").policy).rules;
  const policy = onlyResource(json, "aws_ecr_repository_policy");
  const policyDocId = policy.policy.match(/aws_iam_policy_document\.([^.]+)\.json/)[1];
  const statements: Json[] = dataSources(json, "aws_iam_policy_document")[policyDocId].statement;

  test("names the repository ecr-repo-<image>-<suffix>", () => {
    expect(repo.name).toBe("ecr-repo-orders-order-processor-pr1234");
  });

  test("scans on push, has immutable tags and encrypts with the AWS-managed KMS key", () => {
    expect(repo).toMatchObject({
      image_scanning_configuration: { scan_on_push: true },
      image_tag_mutability: "IMMUTABLE",
      encryption_configuration: [{ encryption_type: "KMS" }],
    });
    expect(repo.encryption_configuration[0].kms_key).toBeUndefined();
  });

  test("is force-deleted with its images so test environments destroy cleanly", () => {
    expect(repo.force_delete).toBe(true);
  });

  test("attaches the lifecycle and repository policies to this repository", () => {
    const name = ref("aws_ecr_repository", repoId, "name");
    expect(onlyResource(json, "aws_ecr_lifecycle_policy").repository).toBe(name);
    expect(policy.repository).toBe(name);
  });

  test("expires untagged images after the configured days", () => {
    expect(rules).toContainEqual(
      expect.objectContaining({
        selection: {
          tagStatus: "untagged",
          countType: "sinceImagePushed",
          countUnit: "days",
          countNumber: 1,
        },
        action: { type: "expire" },
      }),
    );
  });

  test("keeps the last N images of any tag status", () => {
    expect(rules).toContainEqual(
      expect.objectContaining({
        selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 },
        action: { type: "expire" },
      }),
    );
  });

  test("follows ECR's rule grammar: unique priorities, the 'any' rule evaluated last", () => {
    const priorities = rules.map((r: Json) => r.rulePriority);
    expect(new Set(priorities).size).toBe(rules.length);
    const anyRule = rules.find((r: Json) => r.selection.tagStatus === "any");
    expect(anyRule.rulePriority).toBe(Math.max(...priorities));
    for (const rule of rules) {
      // countUnit only with sinceImagePushed; untagged/any rules take no tag lists.
      expect(rule.selection.countUnit !== undefined).toBe(rule.selection.countType === "sinceImagePushed");
      expect(rule.selection.tagPrefixList ?? rule.selection.tagPatternList).toBeUndefined();
      expect(Number.isInteger(rule.selection.countNumber) && rule.selection.countNumber > 0).toBe(true);
    }
  });

  test("allows pulls by this account's principals", () => {
    expect(statements).toContainEqual(
      expect.objectContaining({
        effect: "Allow",
        principals: [{ type: "AWS", identifiers: [`arn:aws:iam::${ACCOUNT}:root`] }],
        actions: [...PULL_ACTIONS],
      }),
    );
  });

  test("denies pulls by principals of any other account", () => {
    expect(statements).toContainEqual(
      expect.objectContaining({
        effect: "Deny",
        principals: [{ type: "*", identifiers: ["*"] }],
        actions: [...PULL_ACTIONS],
        condition: [{ test: "StringNotEquals", variable: "aws:PrincipalAccount", values: [ACCOUNT] }],
      }),
    );
  });

  test("grants nothing beyond pulling", () => {
    for (const s of statements) expect(s.actions).toEqual([...PULL_ACTIONS]);
  });
});

describe("EcrRepository with mutable tags, no scanning and other lifecycle numbers", () => {
  const json = synthRepository({
    scanOnPush: false,
    immutableTags: false,
    imagesKept: 25,
    untaggedExpiryDays: 7,
  });
  const repo = onlyResource(json, "aws_ecr_repository");

  test("follows the registry config for tag mutability and scanning", () => {
    expect(repo).toMatchObject({
      image_tag_mutability: "MUTABLE",
      image_scanning_configuration: { scan_on_push: false },
    });
  });

  test("puts the configured numbers into the lifecycle policy", () => {
    const rules = JSON.parse(onlyResource(json, "aws_ecr_lifecycle_policy").policy).rules;
    expect(rules.map((r: Json) => r.selection.countNumber)).toEqual([7, 25]);
  });
});

describe("lifecycleRules", () => {
  test("describes each rule with its numbers", () => {
    expect(lifecycleRules(REGISTRY).map((r) => r.description)).toEqual([
      "Expire untagged images 1 day(s) after push",
      "Keep the last 10 images",
    ]);
  });
});
