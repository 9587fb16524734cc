/**
 * What one stack hands to the next. The platform stack exposes `PlatformHandles` (values are
 * Terraform tokens of its resources; passing them into another stack makes cdktf create an
 * output and a `terraform_remote_state` lookup), and emits a `ReleaseManifest` output for
 * the release CLI.
 */
import type { ServiceKind } from "../config/schema";

export interface TargetGroupHandle {
  readonly arn: string;
  /** `targetgroup/<name>/<id>`: the CloudWatch `TargetGroup` dimension value. */
  readonly arnSuffix: string;
  readonly name: string;
}

export interface ServiceHandle {
  /** Service name in the config (the catalog key). */
  readonly name: string;
  readonly kind: ServiceKind;
  /** ECS service name (the `ServiceName` dimension); absent for scheduled jobs. */
  readonly ecsServiceName?: string;
  readonly ecsServiceArn?: string;
  readonly taskDefinitionFamily: string;
  readonly logGroupName: string;
  /** Name of the application container in the task definition. */
  readonly containerName: string;
  readonly containerPort: number;
  /** Target groups of a web service: blue always, green for blue/green strategies. */
  readonly targetGroups?: { readonly blue: TargetGroupHandle; readonly green?: TargetGroupHandle };
  /** Queue of a worker service and its dead-letter queue. */
  readonly queue?: {
    readonly name: string;
    readonly arn: string;
    readonly dlqName: string;
    readonly dlqArn: string;
  };
  /** EventBridge Scheduler schedule of a scheduled job. */
  readonly schedule?: { readonly name: string; readonly groupName: string; readonly arn: string };
  /** Alarms that gate this service's deployments (owned by the platform stack). */
  readonly deploymentAlarmNames: string[];
  /** CodeDeploy application and deployment group (web services with blue/green). */
  readonly codedeploy?: { readonly applicationName: string; readonly deploymentGroupName: string };
  /**
   * Cloud Map (or Service Connect) DNS name callers use: `<service>.<namespace>`. Absent for a
   * blue/green service outside Service Connect: no name may hold both task sets, its callers
   * use the ALB's production listener.
   */
  readonly dnsName?: string;
  /**
   * Service Connect discovery name of the service's port (the `DiscoveryName` /
   * `TargetDiscoveryName` dimension of Service Connect metrics); set when the mesh is on and the
   * service accepts connections.
   */
  readonly discoveryName?: string;
}

export interface PlatformHandles {
  readonly clusterName: string;
  readonly clusterArn: string;
  /** Absent when the catalog has no web service (no ALB is built). */
  readonly loadBalancer?: {
    readonly arn: string;
    /** `app/<name>/<id>`: the CloudWatch `LoadBalancer` dimension value. */
    readonly arnSuffix: string;
    readonly dnsName: string;
  };
  readonly namespace: { readonly id: string; readonly name: string };
  readonly services: Readonly<Record<string, ServiceHandle>>;
  /** Aurora cluster identifier (the `DBClusterIdentifier` dimension), where a database exists. */
  readonly databaseClusterIdentifier?: string;
  /** Customer-managed KMS key used for logs, queues and secrets. */
  readonly kmsKeyArn: string;
}

/**
 * The tag of the image reference a release record holds before the first release
 * (`<repository>:bootstrap`); the release CLI refuses to release it.
 */
export const BOOTSTRAP_IMAGE_TAG = "bootstrap";

/** Per-service facts the release CLI needs; emitted as the platform output `release_manifest`. */
export interface ReleaseManifestEntry {
  readonly kind: ServiceKind;
  readonly clusterName: string;
  /** Absent for scheduled jobs (they have no ECS service). */
  readonly serviceName?: string;
  readonly taskDefinitionFamily: string;
  readonly containerName: string;
  readonly containerPort: number;
  readonly repositoryUrl: string;
  /** SSM parameter recording the released image tag; the release CLI writes it first. */
  readonly imageParameterName: string;
  /**
   * How the release CLI deploys the service: a CodeDeploy deployment, or UpdateService followed
   * as an ECS-native blue/green or a rolling deployment. Absent in manifests written before
   * strategies existed (the CLI then infers CodeDeploy from the group names).
   */
  readonly strategy?: "codedeploy" | "ecs-blue-green" | "rolling";
  /** ECS-native blue/green: minutes blue keeps running after the shift (the CLI waits them out). */
  readonly bakeTimeMinutes?: number;
  readonly codedeployApplication?: string;
  readonly codedeployDeploymentGroup?: string;
  /**
   * Task counts of an ECS service as configured: the first release (leaving the bootstrap at 0
   * tasks) raises the service to `desiredCount` and registers autoscaling with min/max.
   * Absent for scheduled jobs.
   */
  readonly counts?: { readonly desired: number; readonly min: number; readonly max: number };
  /** EventBridge Scheduler schedule of a scheduled job (the first release enables it). */
  readonly schedule?: { readonly name: string; readonly group: string };
}

export type ReleaseManifest = Readonly<Record<string, ReleaseManifestEntry>>;

/**
 * What `npm run task` needs to run a one-off task (a migration, the database bootstrap) with a
 * service's task definition and network settings; emitted as the platform output
 * `one_off_tasks`, keyed by service name (and `db-bootstrap`).
 */
export interface OneOffTaskEntry {
  readonly clusterName: string;
  /** Family without a revision: RunTask uses its latest ACTIVE revision. */
  readonly taskDefinitionFamily: string;
  /** The container whose command `--command` replaces. */
  readonly containerName: string;
  /**
   * Where that container logs: its stream is `<prefix>/<container>/<task id>` in this group
   * (awslogs driver), which the CLI prints to follow with `aws logs tail`.
   */
  readonly logGroupName: string;
  readonly logStreamPrefix: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
}

export type OneOffTasks = Readonly<Record<string, OneOffTaskEntry>>;
