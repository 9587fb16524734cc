import { Construct } from "constructs";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { DatabaseConfig } from "../../config/schema";
import type { Naming } from "../naming";
import { lifecyclePolicy, LifecyclePolicy, statefulLifecycle } from "../lifecycle";
import { ValidationError } from "../errors";

export const AURORA_POSTGRES_ENGINE = "aurora-postgresql";
/** Instance class of Aurora Serverless v2 instances. */
export const SERVERLESS_V2_INSTANCE_CLASS = "db.serverless";
/** Master user name; the password is generated and kept by RDS in Secrets Manager. */
export const MASTER_USERNAME = "postgres";

export interface AuroraDatabaseProps {
  readonly naming: Naming;
  /** `config.database`. */
  readonly config: DatabaseConfig;
  readonly vpcId: string;
  /** The isolated database subnets (no route to the internet), one per AZ. */
  readonly subnetIds: string[];
  /** Customer-managed key for storage and for the RDS-managed master secret. */
  readonly kmsKeyArn: string;
  /**
   * Security groups admitted on the database port, by a stable key (the service name).
   * More can be added with {@link AuroraDatabase.allowFrom}. @default none
   */
  readonly allowedSecurityGroups?: Readonly<Record<string, string>>;
  /** What a destroy may take: deletion protection, final snapshot, prevent_destroy. @default ephemeral */
  readonly lifecycle?: LifecyclePolicy;
}

/**
 * Aurora PostgreSQL in the database subnets: storage and master secret encrypted with the
 * platform CMK, master password generated and rotated by RDS in Secrets Manager (rotation
 * period from config), Serverless v2 or provisioned instances, and a security group that
 * admits only the services configured to use the database. Built to be destroyed: no final
 * snapshot, no deletion protection, minimal backup retention from config.
 */
export class AuroraDatabase extends Construct {
  readonly clusterIdentifier: string;
  readonly clusterArn: string;
  /** `cluster-…` resource id: what `rds-db:connect` ARNs name. */
  readonly clusterResourceId: string;
  /** Writer endpoint. */
  readonly endpoint: string;
  readonly readerEndpoint: string;
  readonly port: number;
  readonly databaseName: string;
  /** ARN of the RDS-managed master user secret (JSON with `username` and `password`). */
  readonly masterSecretArn: string;
  /** Key that encrypts the master secret (readers need `kms:Decrypt` on it). */
  readonly masterSecretKmsKeyArn: string;
  readonly securityGroupId: string;

  private readonly props: AuroraDatabaseProps;

  constructor(scope: Construct, id: string, props: AuroraDatabaseProps) {
    super(scope, id);
    this.props = props;
    const { config, naming } = props;
    const lifecycle = props.lifecycle ?? lifecyclePolicy();
    if (props.subnetIds.length < 2) {
      throw new ValidationError(
        `database: ${props.subnetIds.length} subnet(s) given; an RDS DB subnet group needs subnets in at least two AZs`,
        this,
      );
    }
    const serverless = config.mode === "serverless-v2";
    if (serverless) validateServerlessCapacity(config);

    const subnetGroup = new DbSubnetGroup(this, "subnet-group", {
      name: naming.name("dbSubnetGroup"),
      description: "Isolated database subnets",
      subnetIds: props.subnetIds,
    });
    const sgName = naming.name("securityGroup", `${naming.blueprint}-db`);
    // No egress rules: the database never opens connections (Terraform removes AWS's default
    // allow-all egress rule from groups it creates).
    const sg = new SecurityGroup(this, "security-group", {
      name: sgName,
      // EC2 replaces a security group whose description changes, and the cluster's ENIs keep the
      // old group in use (DependencyViolation): nothing that can change (the port) goes in here.
      description: "Aurora PostgreSQL: the services that use the database",
      vpcId: props.vpcId,
      tags: { Name: sgName },
    });
    this.securityGroupId = sg.id;

    const cluster = new RdsCluster(this, "cluster", {
      clusterIdentifier: naming.name("dbCluster"),
      engine: AURORA_POSTGRES_ENGINE,
      engineMode: "provisioned",
      engineVersion: config.engineVersion,
      databaseName: config.databaseName,
      port: config.port,
      masterUsername: MASTER_USERNAME,
      manageMasterUserPassword: true,
      // Services log in as their own users with IAM tokens (iam-users.ts): no service holds a
      // password, so a rotation of the master secret never reaches a running consumer.
      iamDatabaseAuthenticationEnabled: true,
      masterUserSecretKmsKeyId: props.kmsKeyArn,
      storageEncrypted: true,
      kmsKeyId: props.kmsKeyArn,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: [sg.id],
      backupRetentionPeriod: config.backupRetentionDays,
      copyTagsToSnapshot: true,
      // ephemeral: destroyable, no snapshot left behind; persistent: deletion protection, a final
      // snapshot on delete (RDS requires its identifier when the snapshot is not skipped), and
      // prevent_destroy below. All three update in place, so switching profiles replaces nothing.
      skipFinalSnapshot: lifecycle.skipFinalSnapshot,
      finalSnapshotIdentifier: finalSnapshotIdentifier(
        lifecycle,
        naming.name("dbCluster", `${naming.blueprint}-final`),
      ),
      // The provider deletes the automated backups with the cluster unless told otherwise.
      deleteAutomatedBackups: lifecycle.deleteAutomatedBackups,
      deletionProtection: lifecycle.deletionProtection,
      serverlessv2ScalingConfiguration: serverless
        ? { minCapacity: config.minCapacity, maxCapacity: config.maxCapacity }
        : undefined,
      // Automatic minor upgrades stay on (security patches); the version AWS upgrades to is never
      // "corrected" back to the configured one, which RDS would refuse as a downgrade.
      // docs/decisions.md, "Engine version: set at creation, upgraded by AWS".
      lifecycle: statefulLifecycle(lifecycle, { ignoreChanges: ["engine_version"] }),
    });
    for (let i = 1; i <= config.instances; i++) {
      new RdsClusterInstance(this, `instance-${i}`, {
        identifier: naming.name("dbInstance", String(i)),
        clusterIdentifier: cluster.id,
        engine: cluster.engine,
        engineVersion: cluster.engineVersion,
        instanceClass: serverless ? SERVERLESS_V2_INSTANCE_CLASS : config.instanceClass,
        dbSubnetGroupName: subnetGroup.name,
        publiclyAccessible: false,
        lifecycle: { ignoreChanges: ["engine_version"] },
      });
    }
    // RDS creates the master secret with a 7-day rotation; Secrets Manager "managed rotation"
    // accepts a new schedule without a Lambda (`rotation_lambda_arn` is optional for managed
    // secrets since terraform-provider-aws PR #34180, v5.x).
    const masterSecret = cluster.masterUserSecret.get(0);
    new SecretsmanagerSecretRotation(this, "master-secret-rotation", {
      secretId: masterSecret.secretArn,
      rotationRules: { automaticallyAfterDays: config.rotationDays },
      // RDS has just set the password; rotating again at creation only adds a failure point.
      rotateImmediately: false,
    });

    this.clusterIdentifier = cluster.clusterIdentifier;
    this.clusterArn = cluster.arn;
    this.clusterResourceId = cluster.clusterResourceId;
    this.endpoint = cluster.endpoint;
    this.readerEndpoint = cluster.readerEndpoint;
    this.port = config.port;
    this.databaseName = config.databaseName;
    this.masterSecretArn = masterSecret.secretArn;
    this.masterSecretKmsKeyArn = props.kmsKeyArn;
    for (const [key, sgId] of Object.entries(props.allowedSecurityGroups ?? {})) this.allowFrom(key, sgId);
  }

  /** Admits one security group (a service's) on the database port; `key` names the rule. */
  allowFrom(key: string, securityGroupId: string): VpcSecurityGroupIngressRule {
    return new VpcSecurityGroupIngressRule(this, `ingress-${key}`, {
      securityGroupId: this.securityGroupId,
      description: `PostgreSQL from ${key}`,
      ipProtocol: "tcp",
      fromPort: this.props.config.port,
      toPort: this.props.config.port,
      referencedSecurityGroupId: securityGroupId,
    });
  }
}

/**
 * Oldest Aurora PostgreSQL minor version per major that can pause at 0 ACUs (Aurora user guide,
 * "Scaling to Zero ACUs with automatic pause and resume for Aurora Serverless v2").
 */
/**
 * `final_snapshot_identifier` of the cluster: none when the snapshot is skipped; `base` for a
 * persistent environment (deletion protection blocks any delete, so it is never used as is);
 * `base-<plan timestamp>` for a retiring one. RDS reads the identifier from state when it deletes,
 * so the snapshot carries the time of the retiring apply and a later retirement of an
 * environment of the same name cannot collide with it (DBClusterSnapshotAlreadyExists).
 */
export function finalSnapshotIdentifier(lifecycle: LifecyclePolicy, base: string): string | undefined {
  if (lifecycle.skipFinalSnapshot) return undefined;
  if (!lifecycle.timestampedFinalSnapshot) return base;
  return `${base}-\${formatdate("YYYYMMDDhhmmss", plantimestamp())}`;
}

export const SCALE_TO_ZERO_MIN_VERSIONS: Readonly<Record<number, number>> = { 13: 15, 14: 12, 15: 7, 16: 3 };

/**
 * Capacities RDS rejects at apply time: Aurora Serverless v2 takes 0 to 256 ACUs in steps of
 * 0.5, and 0 (automatic pause) only from the versions above (every later major supports it).
 */
function validateServerlessCapacity(config: DatabaseConfig): void {
  for (const field of ["minCapacity", "maxCapacity"] as const) {
    const acus = config[field];
    if (!Number.isInteger(acus * 2)) {
      throw new ValidationError(
        `database.${field}: ${acus} is not an Aurora Serverless v2 capacity (0 to 256 ACUs in steps of 0.5)`,
      );
    }
  }
  if (config.minCapacity === 0) {
    const [major, minor] = config.engineVersion.split(".").map(Number);
    const oldest = SCALE_TO_ZERO_MIN_VERSIONS[major];
    if (major < 13 || (oldest !== undefined && minor < oldest)) {
      throw new ValidationError(
        `database.minCapacity: 0 (automatic pause) needs Aurora PostgreSQL 13.15, 14.12, 15.7, 16.3 or later; engineVersion is ${config.engineVersion} (raise it or use 0.5)`,
      );
    }
  }
}
