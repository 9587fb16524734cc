import { Construct } from "constructs";
import { BaseStack, PlatformStackProps } from "./base";

export class NetworkStack extends BaseStack {
  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, "network", props);
  }
}
