import { Construct } from "constructs";
import { BaseStack, PlatformStackProps } from "./base";
import type { NetworkStack } from "./network-stack";

export interface PlatformServicesStackProps extends PlatformStackProps {
  readonly network: NetworkStack;
}

export class PlatformServicesStack extends BaseStack {
  constructor(scope: Construct, props: PlatformServicesStackProps) {
    super(scope, "platform", props);
  }
}
