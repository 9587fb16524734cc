import { Construct } from "constructs";
import { BaseStack, PlatformStackProps } from "./base";

export class RegistryStack extends BaseStack {
  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, "registry", props);
  }
}
