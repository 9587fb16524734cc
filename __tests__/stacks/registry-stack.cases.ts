import "cdktf/lib/testing/adapters/jest";
import { serviceImages } from "../../stacks/registry-stack";
import {
  blueprintWith,
  configFor,
  configFrom,
  dataSources,
  Json,
  resources,
  synthApp,
} from "../support/synth";

/** Terraform references (`aws_x.id`, `data.aws_x.id`) that name nothing declared in the stack. */
function foreignReferences(stack: Json): string[] {
  const refs = JSON.stringify(stack).match(/\b(data\.)?aws_[a-z0-9_]+\.[A-Za-z0-9_-]+(?=\.)/g) ?? [];
  return [...new Set(refs)].filter((ref) => {
    const [, data, type, id] = /^(data\.)?(aws_[a-z0-9_]+)\.(.+)$/.exec(ref)!;
    return (data ? stack.data : stack.resource)?.[type]?.[id] === undefined;
  });
}

describe("registry stack (trading)", () => {
  const { stacks, app } = synthApp(configFor("trading"));
  const registry = stacks.registry;
  const repos = resources(registry, "aws_ecr_repository");

  test("creates one repository per service image, named with the suffix", () => {
    expect(
      Object.values(repos)
        .map((r) => r.name)
        .sort(),
    ).toEqual([
      "ecr-repo-trading-api-gateway-test",
      "ecr-repo-trading-frontend-test",
      "ecr-repo-trading-processing-service-test",
    ]);
  });

  test("outputs every repository URL by image name", () => {
    const urlOf = (name: string) => {
      const id = Object.keys(repos).find((k) => repos[k].name === name)!;
      return `\${aws_ecr_repository.${id}.repository_url}`;
    };
    expect(registry.output.repository_urls.value).toEqual({
      "api-gateway": urlOf("ecr-repo-trading-api-gateway-test"),
      frontend: urlOf("ecr-repo-trading-frontend-test"),
      "processing-service": urlOf("ecr-repo-trading-processing-service-test"),
    });
    expect(registry.output.repository_urls.description).toMatch(/ECR repository URL/);
  });

  test("scopes every repository policy to the deploying account from one caller-identity lookup", () => {
    const [accountId] = Object.keys(dataSources(registry, "aws_caller_identity"));
    // One pull policy for the stack, which every repository's policy references.
    const docs = dataSources(registry, "aws_iam_policy_document");
    expect(Object.keys(docs)).toEqual(["ecr-pull-policy"]);
    expect(JSON.stringify(docs["ecr-pull-policy"])).toContain(
      `\${data.aws_caller_identity.${accountId}.account_id}`,
    );
    const policies = Object.values(registry.resource.aws_ecr_repository_policy) as Json[];
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      expect(policy.policy).toBe("${data.aws_iam_policy_document.ecr-pull-policy.json}");
    }
  });

  test("depends on no other stack: every reference resolves inside the registry stack", () => {
    expect(foreignReferences(registry)).toEqual([]);
    expect(dataSources(registry, "terraform_remote_state")).toEqual({});
  });

  test("the reference check catches a reference to another stack's resource", () => {
    expect(
      foreignReferences({ ...registry, output: { x: { value: "${aws_vpc.vpc_6776A399.id}" } } }),
    ).toEqual(["aws_vpc.vpc_6776A399"]);
  });

  test("exposes the repositories by image name", () => {
    expect(Object.keys(app.registry.repositories).sort()).toEqual([
      "api-gateway",
      "frontend",
      "processing-service",
    ]);
    expect(app.registry.repositories.frontend.name).toBe("ecr-repo-trading-frontend-test");
  });
});

describe("registry stack when services share or rename images", () => {
  const config = configFrom(
    blueprintWith("trading", (bp) => {
      bp.services["api-gateway"].image = "frontend";
      bp.services["processing-service"].image = "trade-engine";
    }),
  );

  test("lists each distinct image once, sorted", () => {
    expect(serviceImages(config)).toEqual(["frontend", "trade-engine"]);
  });

  test("creates one repository per distinct image", () => {
    const names = Object.values(resources(synthApp(config).stacks.registry, "aws_ecr_repository")).map(
      (r) => r.name,
    );
    expect(names.sort()).toEqual(["ecr-repo-trading-frontend-test", "ecr-repo-trading-trade-engine-test"]);
  });
});
