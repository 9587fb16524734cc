import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import type { PlatformConfig } from "../config";
import { EcrRepository } from "../modules/ecr-repository";
import { BaseStack, PlatformStackProps } from "./base";
import { awsContext } from "../modules/stack-shared";
import { lifecyclePolicy } from "../modules/lifecycle";

/** Distinct image names of a config's services (`image`, or the service name), sorted. */
export function serviceImages(config: PlatformConfig): string[] {
  const images = Object.entries(config.services).map(([name, svc]) => svc.image ?? name);
  return [...new Set(images)].sort();
}

/**
 * One ECR repository per distinct service image. Depends on no other stack: the platform
 * derives repository URLs from the naming module, so images can be pushed before (and
 * independently of) the platform.
 */
export class RegistryStack extends BaseStack {
  /** Repositories by image name. */
  readonly repositories: Readonly<Record<string, EcrRepository>>;

  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, "registry", props);
    const aws = awsContext(this);

    const repositories: Record<string, EcrRepository> = {};
    for (const image of serviceImages(props.config)) {
      repositories[image] = new EcrRepository(this, `ecr-${image}`, {
        naming: props.naming,
        image,
        registry: props.config.registry,
        accountId: aws.accountId,
        partition: aws.partition,
        lifecycle: lifecyclePolicy(props.config.lifecycle),
      });
    }
    this.repositories = repositories;

    new TerraformOutput(this, "repository_urls", {
      value: Object.fromEntries(Object.entries(repositories).map(([image, repo]) => [image, repo.url])),
      description: "ECR repository URL by image name (push <url>:<tag>)",
    });
  }
}
