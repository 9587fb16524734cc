/**
 * The one owner of the running image: an SSM parameter per service and environment that records
 * the image reference (`<repository>:<tag>` or `<repository>@sha256:…`) the release CLI last
 * released. Terraform creates it once with the bootstrap reference `<repository>:bootstrap` and
 * never writes it again (`ignore_changes`); on every plan the provider refreshes the parameter
 * from AWS, so every task definition revision Terraform registers uses the released image, and
 * a `cdktf deploy` never changes which image runs.
 *
 * Until the first release the record holds the bootstrap reference: no image may exist yet, so
 * the service is created with 0 tasks, autoscaling's minimum is 0 and a scheduled job's
 * schedule is disabled. The first `npm run release` records the image and raises the service
 * to its counts (and enables the schedule) itself; the next plan then agrees with what it did.
 */
import { Construct } from "constructs";
import { Fn, Token } from "cdktf";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import type { Naming } from "../naming";

import { BOOTSTRAP_IMAGE_TAG } from "../contracts";

export { BOOTSTRAP_IMAGE_TAG };

export interface ReleaseRecordProps {
  readonly naming: Naming;
  /** Service name in the config. */
  readonly serviceName: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>` of the service's image. */
  readonly repositoryUrl: string;
}

export class ReleaseRecord extends Construct {
  readonly parameter: SsmParameter;
  /** The parameter's name (known at synth: the release CLI derives it from the naming module too). */
  readonly parameterName: string;
  /** The recorded image reference, as Terraform reads it on each plan (a token). */
  readonly image: string;
  /** `<repository>:bootstrap`: the record's value until the first release. */
  readonly bootstrapImage: string;
  /** Terraform expression: true until the first release. */
  private readonly bootstrap: unknown;

  constructor(scope: Construct, id: string, props: ReleaseRecordProps) {
    super(scope, id);
    this.parameterName = props.naming.releaseParameter(props.serviceName);
    this.bootstrapImage = `${props.repositoryUrl}:${BOOTSTRAP_IMAGE_TAG}`;
    this.parameter = new SsmParameter(this, "image", {
      name: this.parameterName,
      description: `Image released to ${props.serviceName}; written by npm run release (the ${BOOTSTRAP_IMAGE_TAG} tag before the first release)`,
      type: "String",
      // insecure_value (not value): an image reference is not secret, and a sensitive value would
      // hide every task definition diff in `cdktf diff`. The provider refreshes it from AWS.
      insecureValue: this.bootstrapImage,
      lifecycle: { ignoreChanges: ["insecure_value"] },
    });
    this.image = this.parameter.insecureValue;
    // The tag alone, not the whole reference: the expression stays short and readable in a plan.
    this.bootstrap = Fn.endswith(this.image, `:${BOOTSTRAP_IMAGE_TAG}`);
  }

  /** A number that is `bootstrap` (usually 0) until the first release and `released` after it. */
  countAfterRelease(released: number, bootstrap = 0): number {
    return Token.asNumber(Fn.conditional(this.bootstrap, bootstrap, released));
  }

  /** A string that is `bootstrap` until the first release and `released` after it. */
  stringAfterRelease(released: string, bootstrap: string): string {
    return Token.asString(Fn.conditional(this.bootstrap, bootstrap, released));
  }
}
