import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { PlatformKmsKey } from "../modules/kms-key";
import { Vpc } from "../modules/vpc";
import { BaseStack, PlatformStackProps } from "./base";
import { lifecyclePolicy } from "../modules/lifecycle";

/**
 * The network: one three-AZ VPC. Other stacks wire to it by property access
 * (`network.vpc.privateSubnetIds`); cdktf turns that into outputs and remote-state lookups.
 */
export class NetworkStack extends BaseStack {
  readonly vpc: Vpc;
  /** Key of the flow-log group (only when flow logs are on). */
  readonly flowLogsKey?: PlatformKmsKey;

  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, "network", props);
    const { config } = props;
    if (config.network.flowLogs.enabled) {
      this.flowLogsKey = new PlatformKmsKey(this, "flow-logs-key", {
        naming: props.naming,
        region: config.region,
        description: "VPC flow-log group encryption",
        aliasSubject: "flow-logs",
        lifecycle: lifecyclePolicy(config.lifecycle),
      });
    }
    this.vpc = new Vpc(this, "vpc", {
      naming: props.naming,
      region: config.region,
      network: config.network,
      databaseSubnets: config.database !== undefined,
      flowLogsKmsKeyArn: this.flowLogsKey?.keyArn,
    });

    new TerraformOutput(this, "vpc_id", { value: this.vpc.vpcId, description: "VPC id" });
    new TerraformOutput(this, "public_subnet_ids", {
      value: this.vpc.publicSubnetIds,
      description: "Public subnet ids (ALB, NAT), one per AZ",
    });
    new TerraformOutput(this, "private_subnet_ids", {
      value: this.vpc.privateSubnetIds,
      description: "Private subnet ids (Fargate tasks, egress through NAT), one per AZ",
    });
    if (this.vpc.databaseSubnetIds.length > 0) {
      new TerraformOutput(this, "database_subnet_ids", {
        value: this.vpc.databaseSubnetIds,
        description: "Isolated database subnet ids (no internet route), one per AZ",
      });
    }
  }
}
