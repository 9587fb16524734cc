import { createHash } from "node:crypto";
import { ITerraformDependable, TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import type { PlatformConfig, ServiceConfig } from "../config";
import { deploymentStrategy, isBlueGreen } from "../config/schema";
import type { PlatformHandles, ReleaseManifest } from "../modules/contracts";
import { AuroraDatabase } from "../modules/database";
import { DatabaseUserBootstrap, databaseUserName, rdsDbConnectArn } from "../modules/database/iam-users";
import { oneOffTasks } from "../modules/one-off-tasks";
import { PlatformCluster } from "../modules/ecs-cluster";
import { FargateService } from "../modules/fargate-service";
import { PlatformKmsKey } from "../modules/kms-key";
import { PlatformLoadBalancer } from "../modules/load-balancer";
import { ApplicationSecrets } from "../modules/secrets";
import { ServiceConnectCa } from "../modules/service-connect-ca";
import { ServiceDiscoveryNamespace } from "../modules/service-discovery";
import { BaseStack, PlatformStackProps } from "./base";
import type { NetworkStack } from "./network-stack";
import { awsContext } from "../modules/stack-shared";
import { PlatformDomain } from "../modules/domain";
import { lifecyclePolicy } from "../modules/lifecycle";

export interface PlatformServicesStackProps extends PlatformStackProps {
  readonly network: NetworkStack;
}

/**
 * Listener rule priority ranges: specific routes first, catch-alls (`/*`) after every one of them.
 * Within a range a service's priority comes from its name alone, so adding, removing or renaming
 * another service never moves it (a moved priority would collide with a rule still holding it
 * during the apply: PriorityInUse).
 */
const SPECIFIC_PRIORITIES = { first: 1, count: 45000 } as const;
const CATCH_ALL_PRIORITIES = { first: 45001, count: 5000 } as const;

/**
 * Order in which services are built: callees before callers (the config guarantees the call
 * graph is acyclic), so a caller can be given its worker callees' queues.
 */
export function buildOrder(services: Readonly<Record<string, ServiceConfig>>): string[] {
  const order: string[] = [];
  const visit = (name: string) => {
    if (order.includes(name)) return;
    for (const callee of services[name].calls) visit(callee);
    order.push(name);
  };
  Object.keys(services).forEach(visit);
  return order;
}

/**
 * How a caller reaches a service (docs/decisions.md, "Internal callers go through the same
 * traffic switch"): `alb` for a blue/green web service outside Service Connect (a DNS name
 * would hold both task sets before the gate, so it has none and callers use the production
 * listener), `mesh` with Service Connect (ECS-native blue/green moves it with the ALB),
 * `dns` (Cloud Map) for rolling services, whose only revision set is the service.
 */
export function callPath(config: PlatformConfig, callee: string): "alb" | "mesh" | "dns" {
  if (config.mesh.enabled) return "mesh";
  const svc = config.services[callee];
  return svc.kind === "web" && isBlueGreen(deploymentStrategy(svc)) ? "alb" : "dns";
}

/**
 * ALB listener rule priority per web service, stable across changes to the other services: a
 * hash of the name within the specific or the catch-all range (a catch-all is evaluated after
 * every specific route). On a hash collision, the service whose name sorts later takes the next
 * free slot.
 */
export function listenerPriorities(
  services: Readonly<Record<string, ServiceConfig>>,
): Record<string, number> {
  const isCatchAll = (s: ServiceConfig) => s.paths.some((p) => p === "/*" || p === "*");
  const used = new Set<number>();
  const priorities: Record<string, number> = {};
  const web = Object.keys(services)
    .filter((n) => services[n].kind === "web")
    .sort();
  for (const name of web) {
    const range = isCatchAll(services[name]) ? CATCH_ALL_PRIORITIES : SPECIFIC_PRIORITIES;
    let slot = createHash("sha256").update(name).digest().readUInt32BE(0) % range.count;
    while (used.has(range.first + slot)) slot = (slot + 1) % range.count;
    used.add(range.first + slot);
    priorities[name] = range.first + slot;
  }
  return priorities;
}

/**
 * The platform: KMS key, application secrets, Cloud Map namespace, ECS cluster, ALB, the
 * database, and one FargateService per service of the catalog, wired to each other (callers
 * admitted by their callees' security groups, database access, Service Connect TLS). It
 * depends on the network stack only.
 */
export class PlatformServicesStack extends BaseStack {
  readonly kms: PlatformKmsKey;
  readonly secrets: ApplicationSecrets;
  readonly namespace: ServiceDiscoveryNamespace;
  readonly cluster: PlatformCluster;
  readonly loadBalancer?: PlatformLoadBalancer;
  /** Certificate and alias record of `config.domain` (blueprints with a web service and a domain). */
  readonly domain?: PlatformDomain;
  readonly database?: AuroraDatabase;
  readonly serviceConnectCa?: ServiceConnectCa;
  /** Key of the Service Connect TLS role only (never the key of secrets, queues or the database). */
  readonly serviceConnectTlsKey?: PlatformKmsKey;
  /** One-off task that creates the services' database users (blueprints with a database). */
  readonly databaseBootstrap?: DatabaseUserBootstrap;
  readonly services: Readonly<Record<string, FargateService>>;
  /** What the observability stack reads (cross-stack references). */
  readonly handles: PlatformHandles;
  private readonly vpc: NetworkStack["vpc"];

  constructor(scope: Construct, props: PlatformServicesStackProps) {
    super(scope, "platform", props);
    const { config, naming } = props;
    const vpc = props.network.vpc;
    this.vpc = vpc;
    const aws = awsContext(this);

    const lifecycle = lifecyclePolicy(config.lifecycle);
    this.kms = new PlatformKmsKey(this, "kms", { naming, region: config.region, lifecycle });
    this.secrets = new ApplicationSecrets(this, "secrets", {
      naming,
      secrets: config.secrets,
      kmsKeyArn: this.kms.keyArn,
      lifecycle,
    });
    this.namespace = new ServiceDiscoveryNamespace(this, "namespace", {
      naming,
      vpcId: vpc.vpcId,
      config: config.serviceDiscovery,
    });
    if (config.mesh.tls) {
      this.serviceConnectTlsKey = new PlatformKmsKey(this, "service-connect-tls-key", {
        naming,
        region: config.region,
        description: "Service Connect TLS: the certificates ECS issues to services",
        aliasSubject: "sc-tls",
        cloudWatchLogs: false,
        lifecycle,
      });
      this.serviceConnectCa = new ServiceConnectCa(this, "service-connect-ca", {
        naming,
        kmsKeyArn: this.serviceConnectTlsKey.keyArn,
      });
    }
    this.cluster = new PlatformCluster(this, "cluster", {
      naming,
      config: config.cluster,
      serviceConnectNamespaceArn: config.mesh.enabled ? this.namespace.namespaceArn : undefined,
    });

    const entries = Object.entries(config.services);
    const webPorts = [...new Set(entries.filter(([, s]) => s.kind === "web").map(([, s]) => s.port))];
    if (webPorts.length > 0) {
      const webBlueGreen = entries.some(([, s]) => s.kind === "web" && isBlueGreen(deploymentStrategy(s)));
      const viaAlb = entries.some(([, s]) => s.calls.some((c) => callPath(config, c) === "alb"));
      // A domain brings its own certificate (validated before the HTTPS listener is created).
      this.domain = config.domain ? new PlatformDomain(this, "domain", { domain: config.domain }) : undefined;
      this.loadBalancer = new PlatformLoadBalancer(this, "load-balancer", {
        testListener: webBlueGreen,
        natPublicIps: vpc.natPublicIps,
        internalCallers: viaAlb,
        naming,
        lifecycle,
        config: this.domain
          ? { ...config.loadBalancer, certificateArn: this.domain.certificateArn, https: true }
          : config.loadBalancer,
        region: config.region,
        vpcId: vpc.vpcId,
        vpcCidr: vpc.vpcCidr,
        publicSubnetIds: vpc.publicSubnetIds,
        targetPorts: webPorts,
      });
      this.domain?.aliasTo("alias", this.loadBalancer);
    }
    if (config.database) {
      this.database = new AuroraDatabase(this, "database", {
        naming,
        config: config.database,
        vpcId: vpc.vpcId,
        subnetIds: vpc.databaseSubnetIds,
        kmsKeyArn: this.kms.keyArn,
        lifecycle,
      });
    }

    this.services = this.buildServices(config, aws.accountId, aws.partition);
    this.wireCalls(config);
    if (this.database && config.database) {
      this.databaseBootstrap = new DatabaseUserBootstrap(this, "database-bootstrap", {
        naming,
        arns: { partition: aws.partition, region: config.region, accountId: aws.accountId },
        vpcId: vpc.vpcId,
        database: {
          endpoint: this.database.endpoint,
          port: this.database.port,
          name: this.database.databaseName,
          securityGroupId: this.database.securityGroupId,
          masterSecretArn: this.database.masterSecretArn,
          masterSecretKmsKeyArn: this.database.masterSecretKmsKeyArn,
        },
        services: Object.keys(config.services).filter((n) => config.services[n].usesDatabase),
        logsKmsKeyArn: this.kms.keyArn,
        logRetentionDays: config.logRetentionDays,
        image: config.database.bootstrapImage,
      });
      this.database.allowFrom("database-bootstrap-task", this.databaseBootstrap.securityGroup.id);
    }
    this.handles = this.buildHandles();
    this.addOutputs();
  }

  private buildServices(
    config: PlatformConfig,
    accountId: string,
    partition: string,
  ): Record<string, FargateService> {
    const { naming } = this;
    const lb = this.loadBalancer;
    const priorities = listenerPriorities(config.services);
    // ECS rejects a service whose strategy names a provider not yet attached to the cluster, and a
    // TLS service before the CA's certificate is installed.
    const dependsOn: ITerraformDependable[] = [
      this.cluster.capacityProviders,
      ...(this.serviceConnectCa?.dependables ?? []),
    ];
    const services: Record<string, FargateService> = {};
    for (const name of buildOrder(config.services)) {
      const svc = config.services[name];
      services[name] = new FargateService(this, `service-${name}`, {
        naming,
        name,
        service: svc,
        platform: {
          region: config.region,
          accountId,
          partition,
          logRetentionDays: config.logRetentionDays,
          tracing: config.tracing,
          capacityProviderStrategy: config.cluster.capacityProviderStrategy,
          deregistrationDelaySeconds: config.loadBalancer.deregistrationDelaySeconds,
          dnsTtlSeconds: config.serviceDiscovery.dnsTtlSeconds,
          deploymentAlarms: {
            errorLogLines: config.observability.errorLogLinesAlarm,
            errorLogPattern: config.observability.errorLogPattern,
          },
        },
        cluster: { name: this.cluster.clusterName, arn: this.cluster.clusterArn },
        network: { vpcId: this.vpc.vpcId, privateSubnetIds: this.vpc.privateSubnetIds },
        kmsKeyArn: this.kms.keyArn,
        secrets: this.secrets.secrets,
        namespace: {
          id: this.namespace.namespaceId,
          name: this.namespace.namespaceName,
          arn: this.namespace.namespaceArn,
        },
        callees: svc.calls
          .filter((c) => config.services[c].kind !== "worker")
          .map((c) => ({
            name: c,
            port: config.services[c].port,
            url: callPath(config, c) === "alb" && lb ? albUrl(lb) : undefined,
          })),
        meshCallers:
          svc.kind === "worker"
            ? []
            : Object.keys(config.services).filter(
                (c) => config.services[c].calls.includes(name) && callPath(config, name) === "mesh",
              ),
        queues: svc.calls
          .filter((c) => config.services[c].kind === "worker")
          .map((c) => {
            const queue = services[c].workQueue!.queue;
            return { name: c, url: queue.url, arn: queue.arn };
          }),
        loadBalancer:
          svc.kind === "web" && lb
            ? {
                securityGroupId: lb.securityGroupId,
                productionListenerArn: lb.productionListenerArn,
                testListenerArn: lb.testListenerArn,
                arnSuffix: lb.albArnSuffix,
                priority: priorities[name],
              }
            : undefined,
        database:
          svc.usesDatabase && this.database
            ? {
                endpoint: this.database.endpoint,
                port: this.database.port,
                name: this.database.databaseName,
                securityGroupId: this.database.securityGroupId,
                user: {
                  name: databaseUserName(name),
                  connectArn: rdsDbConnectArn(
                    { partition, region: config.region, accountId },
                    this.database.clusterResourceId,
                    databaseUserName(name),
                  ),
                },
              }
            : undefined,
        serviceConnect: config.mesh.enabled
          ? {
              namespaceArn: this.namespace.namespaceArn,
              tls: this.serviceConnectCa
                ? {
                    caArn: this.serviceConnectCa.caArn,
                    roleArn: this.serviceConnectCa.tlsRoleArn,
                    kmsKeyArn: this.serviceConnectTlsKey!.keyArn,
                  }
                : undefined,
            }
          : undefined,
        dependsOn,
      });
    }
    return services;
  }

  /** Security group rules for every call edge, and database access for its users. */
  private wireCalls(config: PlatformConfig): void {
    for (const [name, svc] of Object.entries(config.services)) {
      const caller = this.services[name];
      for (const calleeName of svc.calls) {
        if (config.services[calleeName].kind === "worker") continue; // a queue, not a port
        if (callPath(config, calleeName) === "alb") {
          // Through NAT to the ALB's public address: egress on the production port only.
          caller.security.allowToInternet(this.loadBalancer!.productionPort, "the ALB production listener");
          continue;
        }
        const callee = this.services[calleeName];
        callee.security.allowFrom(caller.securityGroupId, name);
        caller.security.allowTo(callee.securityGroupId, callee.ingressPort, calleeName);
      }
      if (svc.usesDatabase && this.database) this.database.allowFrom(name, caller.securityGroupId);
    }
  }

  private buildHandles(): PlatformHandles {
    return {
      clusterName: this.cluster.clusterName,
      clusterArn: this.cluster.clusterArn,
      loadBalancer: this.loadBalancer
        ? {
            arn: this.loadBalancer.albArn,
            arnSuffix: this.loadBalancer.albArnSuffix,
            dnsName: this.loadBalancer.dnsName,
          }
        : undefined,
      namespace: { id: this.namespace.namespaceId, name: this.namespace.namespaceName },
      services: Object.fromEntries(Object.entries(this.services).map(([name, s]) => [name, s.handle])),
      databaseClusterIdentifier: this.database?.clusterIdentifier,
      kmsKeyArn: this.kms.keyArn,
    };
  }

  private addOutputs(): void {
    const output = (id: string, value: unknown, description: string) => {
      const o = new TerraformOutput(this, id, { value, description });
      o.overrideLogicalId(id);
      return o;
    };
    const services = Object.entries(this.services);
    if (this.loadBalancer)
      output("alb_dns_name", this.loadBalancer.dnsName, "DNS name of the Application Load Balancer");
    output("cluster_name", this.cluster.clusterName, "ECS cluster name");
    output("cluster_arn", this.cluster.clusterArn, "ECS cluster ARN");
    output("cloud_map_namespace", this.namespace.namespaceName, "Cloud Map private DNS namespace");
    output(
      "service_names",
      Object.fromEntries(services.filter(([, s]) => s.ecsService).map(([n, s]) => [n, s.ecsService!.name])),
      "ECS service names by catalog name",
    );
    output(
      "service_arns",
      Object.fromEntries(
        services.filter(([, s]) => s.ecsService).map(([n, s]) => [n, s.ecsService!.ecsService.id]),
      ),
      "ECS service ARNs by catalog name",
    );
    output(
      "image_uris",
      Object.fromEntries(services.map(([n, s]) => [n, s.release.image])),
      "Released image per service, as recorded by npm run release (<repository>:bootstrap before the first release)",
    );
    const blueGreen = services.filter(([, s]) => s.blueGreen);
    if (blueGreen.length > 0) {
      output(
        "codedeploy",
        Object.fromEntries(
          blueGreen.map(([n, s]) => [
            n,
            {
              application: s.blueGreen!.application.name,
              deployment_group: s.blueGreen!.deploymentGroup.deploymentGroupName,
            },
          ]),
        ),
        "CodeDeploy application and deployment group per blue/green service",
      );
      output(
        "appspec_templates",
        // Every value is known at synth time: plain JSON, readable in `cdktf output`.
        Object.fromEntries(blueGreen.map(([n, s]) => [n, JSON.stringify(appSpec(s))])),
        "AppSpec (JSON) per blue/green service: replace <TASK_DEFINITION> with the new revision's ARN",
      );
    }
    const ecsBlueGreen = services.filter(([, s]) => s.strategy === "ecs-blue-green" && s.ecsService);
    if (ecsBlueGreen.length > 0) {
      output(
        "ecs_blue_green",
        Object.fromEntries(
          ecsBlueGreen.map(([n, s]) => [
            n,
            {
              service: s.ecsService!.name,
              strategy: s.manifest.strategy,
              bake_time_minutes: s.manifest.bakeTimeMinutes,
              target_groups: s.traffic
                ? { blue: s.traffic.blue.name, green: s.traffic.green?.name }
                : undefined,
              production_listener_rule: s.traffic?.productionRule.arn,
              test_listener_rule: s.traffic?.testRule?.arn,
              infrastructure_role: s.ecsBlueGreen?.infrastructureRole?.arn,
              rollback_alarms: s.handle.deploymentAlarmNames,
            },
          ]),
        ),
        "ECS-native blue/green per service: the target groups and listener rules ECS moves, its role and the alarms that roll back",
      );
    }
    if (this.loadBalancer?.testListenerPort !== undefined) {
      output(
        "test_listener_url",
        `${this.loadBalancer.productionProtocol.toLowerCase()}://${this.loadBalancer.dnsName}:${this.loadBalancer.testListenerPort}`,
        "Test listener: green before production traffic shifts (from the NAT gateways' addresses and loadBalancer.testListenerCidrs)",
      );
    }
    output(
      "one_off_tasks",
      oneOffTasks(this.cluster.clusterName, this.vpc.privateSubnetIds, this.services, this.databaseBootstrap),
      "What `npm run task` needs per service and for the database bootstrap task (see modules/contracts.ts)",
    );
    const manifest: ReleaseManifest = Object.fromEntries(services.map(([n, s]) => [n, s.manifest]));
    output(
      "release_manifest",
      manifest,
      "What `npm run release` needs per service (see modules/contracts.ts)",
    );
  }
}

/** Base URL of the production listener (callers append the callee's paths). */
function albUrl(lb: PlatformLoadBalancer): string {
  const port =
    lb.productionPort === (lb.productionProtocol === "HTTPS" ? 443 : 80) ? "" : `:${lb.productionPort}`;
  return `${lb.productionProtocol.toLowerCase()}://${lb.dnsName}${port}`;
}

/** The AppSpec CodeDeploy needs for an ECS blue/green deployment of one service. */
function appSpec(service: FargateService): Record<string, unknown> {
  return {
    version: "0.0",
    Resources: [
      {
        TargetService: {
          Type: "AWS::ECS::Service",
          Properties: {
            TaskDefinition: "<TASK_DEFINITION>",
            LoadBalancerInfo: {
              ContainerName: service.handle.containerName,
              ContainerPort: service.handle.containerPort,
            },
            // CodeDeploy drops the service's strategy for green tasks unless the AppSpec repeats it.
            CapacityProviderStrategy: service.capacityProviderStrategy.map((s) => ({
              CapacityProvider: s.provider,
              Base: s.base,
              Weight: s.weight,
            })),
          },
        },
      },
    ],
  };
}
