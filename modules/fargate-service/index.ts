import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { deploymentStrategy, isBlueGreen, type Blueprint, type ServiceConfig } from "../../config/schema";
import type { ReleaseManifestEntry, ServiceHandle } from "../contracts";
import type { Naming } from "../naming";
import { BlueGreenDeployment, createGateAlarms } from "./blue-green";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { errorLogMetric } from "../log-insights";
import { EcsBlueGreen } from "./ecs-blue-green";
import { ServiceDiscoveryRegistration } from "./discovery";
import { SecretGrant, ServiceRoles } from "./iam";
import { CUSTOM_METRIC_SCOPE, ServiceScaling } from "./scaling";
import { ScheduledTask } from "./scheduled-task";
import { ServiceSecurityGroup } from "./security";
import {
  CapacityProviderShare,
  errorLineFilter,
  FargateEcsService,
  SERVICE_CONNECT_TLS_INGRESS_PORT,
} from "./service";
import { ReleaseRecord } from "./release-record";
import {
  ContainerSecret,
  repositoryName,
  repositoryUrl,
  ServiceTaskDefinition,
  TRACING_SIDECARS,
} from "./task-definition";
import { replacementTrigger, WebTraffic } from "./web-traffic";
import { WorkQueue } from "./work-queue";
import { ValidationError } from "../errors";

export { ServiceRoles } from "./iam";
export { ServiceSecurityGroup } from "./security";
export { ServiceTaskDefinition } from "./task-definition";
export { FargateEcsService } from "./service";
export { ServiceScaling } from "./scaling";
export { ServiceDiscoveryRegistration } from "./discovery";
export { ReleaseRecord, BOOTSTRAP_IMAGE_TAG } from "./release-record";

/** Facts shared by every service, built once by the stack. */
export interface PlatformFacts {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly logRetentionDays: number;
  readonly tracing: Blueprint["tracing"];
  /** The cluster's default strategy (services with `spotBase` use FARGATE_SPOT only). */
  readonly capacityProviderStrategy: readonly CapacityProviderShare[];
  readonly deregistrationDelaySeconds: number;
  /** TTL of the Cloud Map A records. */
  readonly dnsTtlSeconds: number;
  /**
   * Error log lines per 5 minutes that page (the rollback alarm is never more sensitive, see
   * `rollbackErrorLinesPerMinute`) and the filter pattern of an error line.
   */
  readonly deploymentAlarms: { readonly errorLogLines: number; readonly errorLogPattern: string };
}

export interface FargateServiceProps {
  readonly naming: Naming;
  /** Service name in the config. */
  readonly name: string;
  readonly service: ServiceConfig;
  readonly platform: PlatformFacts;
  readonly cluster: { readonly name: string; readonly arn: string };
  readonly network: { readonly vpcId: string; readonly privateSubnetIds: string[] };
  /** CMK for the log group and the worker's queues. */
  readonly kmsKeyArn: string;
  /** Secrets of the blueprint by config name (only those the service references are used). */
  readonly secrets: Readonly<Record<string, { readonly arn: string; readonly kmsKeyArn?: string }>>;
  /** Cloud Map private DNS namespace. */
  readonly namespace: { readonly id: string; readonly name: string; readonly arn: string };
  /**
   * Services this one calls, with their ports (they get `<NAME>_URL` variables): the callee's
   * Cloud Map / Service Connect name, or `url` when the callee is reached through the ALB's
   * production listener (a blue/green service outside Service Connect). @default []
   */
  readonly callees?: readonly { readonly name: string; readonly port: number; readonly url?: string }[];
  /**
   * Services of this platform that call this one over Service Connect (config names): the mesh
   * 5xx rollback alarm counts the answers to them only. @default [] (no mesh 5xx rollback alarm)
   */
  readonly meshCallers?: readonly string[];
  /**
   * Queues of the worker services this one calls: it gets `<NAME>_QUEUE_URL` and may send to
   * them (they are encrypted with `kmsKeyArn`). @default []
   */
  readonly queues?: readonly { readonly name: string; readonly url: string; readonly arn: string }[];
  /** The ALB (web services only). */
  readonly loadBalancer?: {
    readonly securityGroupId: string;
    readonly productionListenerArn: string;
    /** The test listener (exists when some service deploys blue/green). */
    readonly testListenerArn?: string;
    /** `app/<name>/<id>`, for alarms and request-count scaling. */
    readonly arnSuffix: string;
    /** Listener rule priority, unique per service. */
    readonly priority: number;
  };
  /** The Aurora cluster (services with `usesDatabase`). */
  readonly database?: {
    readonly endpoint: string;
    readonly port: number;
    /** Database name, exported as DB_NAME. @default not exported */
    readonly name?: string;
    readonly securityGroupId: string;
    /**
     * The service's own database user (IAM authentication; created by the platform's bootstrap
     * task), exported as DB_USERNAME, and the `rds-db:connect` ARN of exactly that user.
     * The master credentials never reach a service.
     */
    readonly user: { readonly name: string; readonly connectArn: string };
  };
  /** ECS Service Connect on the namespace, with TLS when `tls` is set. @default off */
  readonly serviceConnect?: {
    readonly namespaceArn: string;
    readonly tls?: { readonly caArn: string; readonly roleArn: string; readonly kmsKeyArn: string };
  };
  /**
   * What the ECS service must wait for, besides its own resources (the cluster's capacity
   * providers, the Service Connect CA's certificate). @default []
   */
  readonly dependsOn?: ITerraformDependable[];
  /** ECS Exec (task role ssmmessages + enable_execute_command). @default false */
  readonly enableExecuteCommand?: boolean;
}

/** `processing-service` → `PROCESSING_SERVICE_URL`. */
export const calleeUrlVariable = (callee: string) => `${callee.toUpperCase().replace(/-/g, "_")}_URL`;

/** `fraud-worker` → `FRAUD_WORKER_QUEUE_URL`. */
export const calleeQueueVariable = (worker: string) => `${worker.toUpperCase().replace(/-/g, "_")}_QUEUE_URL`;

/**
 * Set to `true` for services that use the database: connect as DB_USERNAME with an IAM
 * authentication token (RDS `generate-db-auth-token`, valid 15 minutes) as the password, over TLS.
 */
export const DATABASE_IAM_AUTH_VARIABLE = "DB_IAM_AUTH";

/**
 * One service of the config turned into everything AWS needs: security group, roles, log
 * group, task definition with tracing sidecar, and per kind — web: target groups, listener
 * rules, ECS service deployed per strategy (CodeDeploy or ECS-native blue/green, or rolling);
 * backend: ECS service in Cloud Map or Service Connect (rolling, or ECS-native blue/green in the
 * mesh); worker: a rolling service plus its SQS queue and backlog scaling; scheduled: an
 * EventBridge Scheduler schedule instead of a service.
 */
export class FargateService extends Construct {
  readonly security: ServiceSecurityGroup;
  readonly securityGroupId: string;
  readonly roles: ServiceRoles;
  readonly taskDefinition: ServiceTaskDefinition;
  readonly ecsService?: FargateEcsService;
  readonly discovery?: ServiceDiscoveryRegistration;
  readonly scaling?: ServiceScaling;
  /** Target group 5xx and unhealthy-host rollback alarms of a rolling service behind the ALB. */
  readonly rollingGateAlarms: CloudwatchMetricAlarm[] = [];
  readonly traffic?: WebTraffic;
  /** CodeDeploy blue/green (strategy `codedeploy`). */
  readonly blueGreen?: BlueGreenDeployment;
  /** ECS-native blue/green (strategy `ecs-blue-green`). */
  readonly ecsBlueGreen?: EcsBlueGreen;
  /** How the service deploys (`rolling` for scheduled jobs, which are never deployed). */
  readonly strategy: ReturnType<typeof deploymentStrategy>;
  readonly workQueue?: WorkQueue;
  readonly scheduledTask?: ScheduledTask;
  /** The released image tag (SSM parameter) every task definition revision is built from. */
  readonly release: ReleaseRecord;
  /** Cloud Map (or Service Connect) DNS name callers use: `<discovery name>.<namespace>`. */
  readonly dnsName: string;
  /**
   * The port callers' traffic arrives at (their security group rules open it): the service's port,
   * or the Service Connect proxy's ingress port for a web service with TLS.
   */
  readonly ingressPort: number;
  /** ECR repository URL of the image (derived from naming, not the registry stack). */
  readonly repositoryUrl: string;
  readonly handle: ServiceHandle;
  readonly manifest: ReleaseManifestEntry;
  /**
   * The service's capacity provider strategy. A CodeDeploy AppSpec must repeat it
   * (`CapacityProviderStrategy`), or the deployment drops it from the service.
   */
  readonly capacityProviderStrategy: CapacityProviderShare[];

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    const { naming, name, service: svc, platform } = props;
    const kind = svc.kind;
    const fail = (message: string): never => {
      throw new ValidationError(`fargate-service ${name}: ${message}`, this);
    };
    if (kind === "web" && !props.loadBalancer) fail("a web service needs the loadBalancer prop");
    if (kind !== "web" && props.loadBalancer) fail(`only web services sit behind the ALB (kind is ${kind})`);
    if (svc.usesDatabase && !props.database) fail("usesDatabase is true but no database was given");
    // The SSM agent ECS Exec mounts into the container writes to it and crashes on a read-only root
    // (aws/containers-roadmap#1359): exec would be on and never work.
    if (props.enableExecuteCommand && svc.readonlyRootFilesystem)
      fail(
        "enableExecuteCommand needs readonlyRootFilesystem: false (ECS Exec's SSM agent writes to the container)",
      );
    const callees = props.callees ?? [];
    // Service Connect names resolve only inside tasks of ECS services (its proxy answers them);
    // a scheduled task started by EventBridge Scheduler gets no proxy.
    if (kind === "scheduled" && props.serviceConnect && callees.length > 0)
      fail("a scheduled job cannot reach services over Service Connect (it runs outside an ECS service)");
    const strategy = kind === "scheduled" ? "rolling" : deploymentStrategy(svc);
    this.strategy = strategy;
    const codeDeploy = strategy === "codedeploy";
    // Only web and backend services serve a port; workers and jobs only call out.
    const listens = kind === "web" || kind === "backend";
    const database = svc.usesDatabase ? props.database : undefined;
    const serviceConnect = kind === "scheduled" ? undefined : props.serviceConnect;
    // Behind the ALB with TLS, the Service Connect proxy moves off the container port (the ALB
    // speaks plain HTTP to the app); see SERVICE_CONNECT_TLS_INGRESS_PORT.
    const proxyIngressPort =
      kind === "web" && serviceConnect?.tls ? SERVICE_CONNECT_TLS_INGRESS_PORT : undefined;
    if (proxyIngressPort === svc.port)
      fail(
        `port ${svc.port} is the Service Connect TLS proxy's ingress port behind the ALB; choose another service port`,
      );
    this.ingressPort = proxyIngressPort ?? svc.port;

    const discoveryName = naming.name("serviceDiscovery", name);
    this.dnsName = `${discoveryName}.${props.namespace.name}`;

    this.security = new ServiceSecurityGroup(this, "security", {
      naming,
      serviceName: name,
      vpcId: props.network.vpcId,
      port: listens ? svc.port : undefined,
      callerPort: this.ingressPort,
      loadBalancerSecurityGroupId: props.loadBalancer?.securityGroupId,
      database: database ? { securityGroupId: database.securityGroupId, port: database.port } : undefined,
    });
    this.securityGroupId = this.security.id;

    if (kind === "worker") {
      this.workQueue = new WorkQueue(this, "queue", {
        naming,
        serviceName: name,
        kmsKeyArn: props.kmsKeyArn,
        queue: svc.queue,
      });
    }

    const { secrets, grants } = resolveSecrets(name, svc, props.secrets);
    const environment: Record<string, string> = {};
    for (const callee of callees) {
      environment[calleeUrlVariable(callee.name)] =
        callee.url ??
        `http://${naming.name("serviceDiscovery", callee.name)}.${props.namespace.name}:${callee.port}`;
    }
    if (database) {
      environment.DB_HOST = database.endpoint;
      environment.DB_PORT = String(database.port);
      if (database.name) environment.DB_NAME = database.name;
      environment.DB_USERNAME = database.user.name;
      environment[DATABASE_IAM_AUTH_VARIABLE] = "true";
    }
    const queues = props.queues ?? [];
    for (const queue of queues) environment[calleeQueueVariable(queue.name)] = queue.url;
    if (this.workQueue) environment.QUEUE_URL = this.workQueue.queue.url;
    if (svc.kind !== "scheduled" && svc.scaling.customMetric) {
      // The scaling policy reads the custom metric with these dimensions (see scaling.ts).
      environment[CUSTOM_METRIC_SCOPE.Blueprint] = naming.blueprint;
      environment[CUSTOM_METRIC_SCOPE.Environment] = naming.environmentSuffix;
    }

    const taskDefinitionLogGroup = naming.name("logGroup", name);
    const repository = repositoryName(naming, name, svc);
    this.roles = new ServiceRoles(this, "roles", {
      naming,
      serviceName: name,
      arns: { partition: platform.partition, region: platform.region, accountId: platform.accountId },
      repositoryName: repository,
      logGroupName: taskDefinitionLogGroup,
      secrets: grants,
      taskRoleSecrets: svc.taskRoleReadsSecrets ? grants : undefined,
      databaseConnectArn: database?.user.connectArn,
      access: svc.access,
      sendQueues: { arns: queues.map((q) => q.arn), kmsKeyArn: props.kmsKeyArn },
      ownQueue: this.workQueue ? { arn: this.workQueue.queue.arn, kmsKeyArn: props.kmsKeyArn } : undefined,
      sidecarLogGroupName: naming.name("sidecarLogGroup", name),
      metricsLogGroupName: TRACING_SIDECARS[platform.tracing.mode].writesEmf
        ? naming.name("metricsLogGroup", name)
        : undefined,
      customMetricNamespace: svc.kind === "scheduled" ? undefined : svc.scaling.customMetric?.namespace,
      enableExecuteCommand: props.enableExecuteCommand,
    });

    this.release = new ReleaseRecord(this, "release", {
      naming,
      serviceName: name,
      repositoryUrl: repositoryUrl(platform.accountId, platform.region, repository),
    });

    this.taskDefinition = new ServiceTaskDefinition(this, "task", {
      naming,
      serviceName: name,
      service: svc,
      image: this.release.image,
      region: platform.region,
      accountId: platform.accountId,
      logRetentionDays: platform.logRetentionDays,
      kmsKeyArn: props.kmsKeyArn,
      tracing: platform.tracing,
      executionRoleArn: this.roles.executionRole.arn,
      taskRoleArn: this.roles.taskRole.arn,
      environment,
      secrets,
      serviceConnect: serviceConnect !== undefined,
      metricNamespace: svc.kind === "scheduled" ? undefined : svc.scaling.customMetric?.namespace,
    });
    const td = this.taskDefinition;
    this.repositoryUrl = td.repositoryUrl;

    const capacityProviderStrategy: CapacityProviderShare[] =
      svc.spotBase !== undefined
        ? [{ provider: "FARGATE_SPOT", base: svc.spotBase, weight: 1 }]
        : platform.capacityProviderStrategy.map((s) => ({ ...s }));
    this.capacityProviderStrategy = capacityProviderStrategy;
    const subnetIds = props.network.privateSubnetIds;
    const securityGroupIds = [this.security.id];

    const errorLines = {
      errorLogMetric: errorLogMetric(naming, name),
      errorLogPattern: platform.deploymentAlarms.errorLogPattern,
      logGroupName: td.logGroup.name,
    };
    if (kind === "scheduled") {
      errorLineFilter(this, naming, name, errorLines);
      this.scheduledTask = new ScheduledTask(this, "schedule", {
        naming,
        serviceName: name,
        scheduleExpression: svc.schedule ?? fail("a scheduled job needs a schedule expression"),
        retries: svc.scheduleRetries,
        clusterArn: props.cluster.arn,
        // Without a revision RunTask uses the family's latest ACTIVE revision, so a release
        // (`npm run release`) reaches the schedule without Terraform.
        taskDefinitionArn: td.taskDefinition.arnWithoutRevision,
        taskDefinitionFamily: td.taskDefinition.family,
        // No image before the first release: nothing to run.
        state: this.release.stringAfterRelease("ENABLED", "DISABLED"),
        executionRoleArn: this.roles.executionRole.arn,
        taskRoleArn: this.roles.taskRole.arn,
        subnetIds,
        securityGroupIds,
        kmsKeyArn: props.kmsKeyArn,
        capacityProviderStrategy,
      });
    } else {
      const lb = props.loadBalancer;
      if (lb) {
        this.traffic = new WebTraffic(this, "traffic", {
          naming,
          serviceName: name,
          vpcId: props.network.vpcId,
          port: svc.port,
          healthCheck: svc.healthCheck,
          paths: svc.paths,
          priority: lb.priority,
          productionListenerArn: lb.productionListenerArn,
          testListenerArn: lb.testListenerArn,
          strategy,
          deregistrationDelaySeconds: platform.deregistrationDelaySeconds,
        });
      }
      const pair =
        this.traffic?.green !== undefined
          ? { blue: this.traffic.blue, green: this.traffic.green }
          : undefined;
      if (strategy === "ecs-blue-green") {
        this.ecsBlueGreen = new EcsBlueGreen(this, "blue-green", {
          naming,
          serviceName: name,
          healthCheck: svc.healthCheck,
          loadBalancer: lb && pair ? { arnSuffix: lb.arnSuffix, targetGroups: pair } : undefined,
        });
      }
      // With Service Connect, ECS registers the service in Cloud Map itself. A blue/green service
      // outside Service Connect registers nowhere: a DNS name would hold both task sets before
      // the gate (callers use the ALB's production listener instead, see platform-stack.ts).
      if (!serviceConnect && !isBlueGreen(strategy)) {
        this.discovery = new ServiceDiscoveryRegistration(this, "discovery", {
          discoveryName,
          namespaceId: props.namespace.id,
          dnsTtlSeconds: platform.dnsTtlSeconds,
        });
      }
      // A rolling service behind the ALB rolls back on its target group's 5xx and unhealthy
      // targets too (blue/green services get theirs from the CodeDeploy or ECS-native gate).
      const rollingGate =
        strategy === "rolling" && lb && this.traffic
          ? createGateAlarms(this, {
              naming,
              serviceName: name,
              loadBalancerArnSuffix: lb.arnSuffix,
              targetGroups: { blue: this.traffic.blue },
              healthCheck: svc.healthCheck,
              controller: "ECS",
            })
          : [];
      this.rollingGateAlarms = rollingGate;
      const ecs = new FargateEcsService(this, "service", {
        naming,
        serviceName: name,
        service: svc,
        clusterName: props.cluster.name,
        clusterArn: props.cluster.arn,
        taskDefinitionArn: td.taskDefinition.arn,
        initialDesiredCount: this.release.countAfterRelease(svc.desiredCount),
        subnetIds,
        securityGroupIds,
        capacityProviderStrategy,
        deploymentAlarms: {
          ...errorLines,
          errorLogLines: platform.deploymentAlarms.errorLogLines,
        },
        loadBalancer: this.traffic
          ? {
              targetGroupArn: this.traffic.blue.arn,
              containerName: td.containerName,
              containerPort: td.containerPort,
              advanced:
                strategy === "ecs-blue-green" &&
                pair &&
                this.traffic.testRule &&
                this.ecsBlueGreen?.infrastructureRole
                  ? {
                      alternateTargetGroupArn: pair.green.arn,
                      productionListenerRuleArn: this.traffic.productionRule.arn,
                      testListenerRuleArn: this.traffic.testRule.arn,
                      roleArn: this.ecsBlueGreen.infrastructureRole.arn,
                    }
                  : undefined,
            }
          : undefined,
        strategy,
        blueGreenAlarmNames: [...(this.ecsBlueGreen?.alarms ?? []), ...rollingGate].map((a) => a.alarmName),
        // UpdateService cannot move a blue/green service to a replaced target group (CodeDeploy
        // owns load_balancer; ECS-native swaps it), so the service is replaced with its groups.
        // And with its rules: a replaced rule starts on blue, where the service may have no
        // tasks (the last deployment left them on green), and ECS-native names the rules.
        replaceWith:
          pair && this.traffic?.testRule
            ? [pair.blue, pair.green, this.traffic.productionRule, this.traffic.testRule].map(
                replacementTrigger,
              )
            : undefined,
        serviceRegistryArn: this.discovery?.service.arn,
        serviceConnect: serviceConnect
          ? {
              namespaceArn: serviceConnect.namespaceArn,
              logGroupName: td.sidecarLogGroup.name,
              region: platform.region,
              endpoint: listens
                ? {
                    discoveryName,
                    dnsName: this.dnsName,
                    portName: td.portName,
                    callerEcsServiceNames: (props.meshCallers ?? []).map((c) => naming.name("ecsService", c)),
                    port: svc.port,
                    tls: serviceConnect.tls,
                    ingressPortOverride: proxyIngressPort,
                  }
                : undefined,
            }
          : undefined,
        autoscaled: true,
        enableExecuteCommand: props.enableExecuteCommand,
        dependsOn: [
          ...(props.dependsOn ?? []),
          ...(this.traffic ? [this.traffic.productionRule] : []),
          ...(this.traffic?.testRule ? [this.traffic.testRule] : []),
          // ECS checks at CreateService that it may modify the rules.
          ...(this.ecsBlueGreen?.infrastructurePolicy ? [this.ecsBlueGreen.infrastructurePolicy] : []),
        ],
      });
      this.ecsService = ecs;
      this.scaling = new ServiceScaling(this, "scaling", {
        naming,
        serviceName: name,
        service: svc,
        clusterName: props.cluster.name,
        ecsServiceName: ecs.ecsService.name,
        loadBalancer:
          lb && this.traffic
            ? {
                arnSuffix: lb.arnSuffix,
                targetGroupArnSuffix: this.traffic.blue.arnSuffix,
                alternateTargetGroupArnSuffix: this.traffic.green?.arnSuffix,
              }
            : undefined,
        queueName: this.workQueue?.queue.name,
        minCapacity: this.release.countAfterRelease(svc.minCount),
        replaceWith: [replacementTrigger(ecs.ecsService)],
      });
      if (codeDeploy && lb && pair) {
        this.blueGreen = new BlueGreenDeployment(this, "blue-green", {
          naming,
          serviceName: name,
          clusterName: props.cluster.name,
          ecsServiceName: ecs.ecsService.name,
          targetGroups: pair,
          productionListenerArn: lb.productionListenerArn,
          testListenerArn: lb.testListenerArn ?? fail("CodeDeploy blue/green needs the ALB's test listener"),
          deployment: svc.deployment,
          gate: { loadBalancerArnSuffix: lb.arnSuffix, healthCheck: svc.healthCheck },
          revisionAlarmNames: ecs.deploymentAlarms.map((a) => a.alarmName),
        });
      }
    }

    this.handle = this.buildHandle(name, svc, serviceConnect && listens ? discoveryName : undefined);
    this.manifest = {
      kind,
      clusterName: props.cluster.name,
      serviceName: this.ecsService?.ecsService.name,
      taskDefinitionFamily: td.taskDefinition.family,
      containerName: td.containerName,
      containerPort: td.containerPort,
      repositoryUrl: this.repositoryUrl,
      imageParameterName: this.release.parameterName,
      strategy,
      bakeTimeMinutes: strategy === "ecs-blue-green" ? svc.deployment.bakeTimeMinutes : undefined,
      codedeployApplication: this.blueGreen?.application.name,
      codedeployDeploymentGroup: this.blueGreen?.deploymentGroup.deploymentGroupName,
      counts: this.ecsService
        ? { desired: svc.desiredCount, min: svc.minCount, max: svc.maxCount }
        : undefined,
      schedule: this.scheduledTask
        ? { name: this.scheduledTask.schedule.name, group: this.scheduledTask.scheduleGroup.name }
        : undefined,
    };
  }

  /**
   * Opens the network path from this service to a callee: the callee admits this service's
   * security group on its port, and this service may reach the callee's group on that port.
   */
  calls(callee: FargateService): void {
    callee.security.allowFrom(this.securityGroupId, this.handle.name);
    this.security.allowTo(callee.securityGroupId, callee.ingressPort, callee.handle.name);
  }

  private buildHandle(name: string, svc: ServiceConfig, serviceConnectDiscoveryName?: string): ServiceHandle {
    const td = this.taskDefinition;
    const tgHandle = (tg: WebTraffic["blue"]) => ({ arn: tg.arn, arnSuffix: tg.arnSuffix, name: tg.name });
    return {
      name,
      kind: svc.kind,
      ecsServiceName: this.ecsService?.ecsService.name,
      ecsServiceArn: this.ecsService?.ecsService.arn,
      taskDefinitionFamily: td.taskDefinition.family,
      logGroupName: td.logGroup.name,
      containerName: td.containerName,
      containerPort: td.containerPort,
      targetGroups: this.traffic
        ? {
            blue: tgHandle(this.traffic.blue),
            ...(this.traffic.green ? { green: tgHandle(this.traffic.green) } : {}),
          }
        : undefined,
      queue: this.workQueue
        ? {
            name: this.workQueue.queue.name,
            arn: this.workQueue.queue.arn,
            dlqName: this.workQueue.deadLetterQueue.name,
            dlqArn: this.workQueue.deadLetterQueue.arn,
          }
        : undefined,
      schedule: this.scheduledTask
        ? {
            name: this.scheduledTask.schedule.name,
            groupName: this.scheduledTask.scheduleGroup.name,
            arn: this.scheduledTask.schedule.arn,
          }
        : undefined,
      deploymentAlarmNames: [
        ...(this.ecsService?.deploymentAlarms ?? []),
        ...(this.blueGreen?.alarms ?? []),
        ...(this.ecsBlueGreen?.alarms ?? []),
        ...this.rollingGateAlarms,
      ].map((a) => a.alarmName),
      codedeploy: this.blueGreen
        ? {
            applicationName: this.blueGreen.application.name,
            deploymentGroupName: this.blueGreen.deploymentGroup.deploymentGroupName,
          }
        : undefined,
      dnsName: this.discovery || serviceConnectDiscoveryName ? this.dnsName : undefined,
      discoveryName: serviceConnectDiscoveryName,
    };
  }
}

/**
 * The task's secrets: each `secrets` entry of the config becomes `valueFrom` the secret's ARN
 * (`<arn>:<key>::` for one JSON key). Also returns what the execution role must be allowed to
 * read and decrypt. Database access is never a secret: services use IAM authentication.
 */
export function resolveSecrets(
  name: string,
  svc: ServiceConfig,
  available: FargateServiceProps["secrets"],
): { secrets: ContainerSecret[]; grants: SecretGrant[] } {
  const secrets: ContainerSecret[] = [];
  const grants: SecretGrant[] = [];
  for (const [variable, ref] of Object.entries(svc.secrets)) {
    const secret = available[ref.secret];
    if (!secret) {
      throw new ValidationError(
        `fargate-service ${name}: secrets.${variable} names secret ${ref.secret}, which was not provided (provided: ${Object.keys(available).join(", ") || "none"})`,
      );
    }
    secrets.push({ name: variable, valueFrom: ref.key ? `${secret.arn}:${ref.key}::` : secret.arn });
    grants.push(secret);
  }
  return { secrets, grants };
}
