import { Construct } from "constructs";
import { BaseStack, PlatformStackProps } from "./base";
import type { PlatformServicesStack } from "./platform-stack";

export interface ObservabilityStackProps extends PlatformStackProps {
  readonly platform: PlatformServicesStack;
}

export class ObservabilityStack extends BaseStack {
  constructor(scope: Construct, props: ObservabilityStackProps) {
    super(scope, "observability", props);
  }
}
