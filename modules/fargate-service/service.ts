import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import {
  EcsService,
  EcsServiceDeploymentConfiguration,
  EcsServiceServiceConnectConfiguration,
} from "@cdktf/provider-aws/lib/ecs-service";
import type { DeploymentStrategy, ServiceConfig } from "../../config/schema";
import type { Naming } from "../naming";
import { TerraformDataMarker } from "../terraform-data";
import { replacementTrigger } from "./web-traffic";
import { ValidationError } from "../errors";

export interface CapacityProviderShare {
  readonly provider: string;
  readonly base: number;
  readonly weight: number;
}

export interface ServiceConnectProps {
  /** Cloud Map namespace ARN. */
  readonly namespaceArn: string;
  /** Log group and region of the Service Connect proxy's logs. */
  readonly logGroupName: string;
  readonly region: string;
  /**
   * The endpoint this service serves to others. Without it the service is a client only
   * (a worker calls services but listens on nothing).
   * @default client only
   */
  readonly endpoint?: {
    /** Cloud Map service ECS creates for this service (unique in the namespace). */
    readonly discoveryName: string;
    /** Name callers use (`<discovery>.<namespace>`), kept equal to the Cloud Map DNS name. */
    readonly dnsName: string;
    /** Port mapping name of the app container. */
    readonly portName: string;
    /**
     * ECS service names of the callers in this cluster that reach it over Service Connect: the
     * 5xx rollback alarm sums their series, so no other cluster or blueprint can trip it.
     * @default [] (no caller in this cluster: no mesh 5xx rollback alarm)
     */
    readonly callerEcsServiceNames?: readonly string[];
    readonly port: number;
    /** TLS with certificates from an AWS Private CA. @default no TLS */
    readonly tls?: { readonly caArn: string; readonly roleArn: string; readonly kmsKeyArn: string };
    /**
     * Port the Service Connect proxy listens on instead of the container port, which traffic
     * then reaches the app on directly (see {@link SERVICE_CONNECT_TLS_INGRESS_PORT}).
     * @default the container port (everything arriving on it goes through the proxy)
     */
    readonly ingressPortOverride?: number;
  };
}

/**
 * Where the Service Connect proxy of a web service with TLS listens. By default the proxy takes
 * the container port (ECS API, ServiceConnectService.ingressPortOverride) and, with TLS, accepts
 * only TLS 1.3 (ECS developer guide, "Encrypt Amazon ECS Service Connect traffic"): the ALB's
 * plain-HTTP requests and health checks to the target would fail, so no task ever turns healthy.
 * Moving the proxy here lets the ALB reach the app on the container port while callers (proxy to
 * proxy, TLS) are admitted on this port only.
 */
export const SERVICE_CONNECT_TLS_INGRESS_PORT = 9443;

export interface DeploymentAlarmSettings {
  /** Namespace and metric name of the app's error log lines (see modules/log-insights). */
  readonly errorLogMetric: { readonly namespace: string; readonly metricName: string };
  /**
   * Error log lines per 5 minutes that page; the rollback alarm needs
   * {@link rollbackErrorLinesPerMinute} of it a minute, so it is never more sensitive.
   */
  readonly errorLogLines: number;
  /** CloudWatch Logs filter pattern of error lines (the same one the pager's metric counts). */
  readonly errorLogPattern: string;
  /** The service's log group: the metric filter sits next to its alarm, in this stack. */
  readonly logGroupName: string;
  /** Target 5xx per minute (Service Connect) that roll a deployment back. @default 5 */
  readonly http5xxPerMinute?: number;
}

/** Consecutive one-minute periods a rollback alarm needs: a single bad minute does not roll back. */
export const ROLLBACK_ALARM_PERIODS = 2;

/** Lowest per-minute error line count that rolls a release back, whatever the pager says. */
export const MIN_ROLLBACK_ERROR_LINES_PER_MINUTE = 5;

/**
 * Error log lines a minute that, {@link ROLLBACK_ALARM_PERIODS} minutes running, roll a release
 * back: those two minutes must hold at least as many lines as the pager needs in 5 minutes, and
 * never fewer than {@link MIN_ROLLBACK_ERROR_LINES_PER_MINUTE} a minute, so a background rate the
 * pager tolerates cannot roll back every release.
 */
export function rollbackErrorLinesPerMinute(pagerLinesPer5Minutes: number): number {
  return Math.max(
    MIN_ROLLBACK_ERROR_LINES_PER_MINUTE,
    Math.ceil(pagerLinesPer5Minutes / ROLLBACK_ALARM_PERIODS),
  );
}

export interface FargateEcsServiceProps {
  readonly naming: Naming;
  readonly serviceName: string;
  readonly service: ServiceConfig;
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly taskDefinitionArn: string;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  readonly capacityProviderStrategy: CapacityProviderShare[];
  /**
   * What the health-of-the-new-revision alarms watch besides the target groups: the app's error
   * log lines (published by the observability stack's metric filter on the app's own log group)
   * and, for a Service Connect server, the 5xx its proxy counts. Never CPU or memory: load must
   * not roll a release back.
   */
  readonly deploymentAlarms: DeploymentAlarmSettings;
  /** Target group (blue for blue/green) the app container registers in. @default none */
  readonly loadBalancer?: {
    readonly targetGroupArn: string;
    readonly containerName: string;
    readonly containerPort: number;
    /**
     * ECS-native blue/green behind the ALB: the green target group, the production and test
     * listener rules whose weights ECS moves, and the role it does that with.
     */
    readonly advanced?: {
      readonly alternateTargetGroupArn: string;
      readonly productionListenerRuleArn: string;
      readonly testListenerRuleArn: string;
      readonly roleArn: string;
    };
  };
  /**
   * How deployments run. `codedeploy` needs `loadBalancer`; `ecs-blue-green` needs
   * `loadBalancer.advanced` or Service Connect. @default rolling
   */
  readonly strategy?: DeploymentStrategy;
  /** Alarms that roll back an ECS-native blue/green deployment (the target group gate). @default [] */
  readonly blueGreenAlarmNames?: readonly string[];
  /**
   * Resources whose replacement must replace this service (Terraform `replace_triggered_by`):
   * a CodeDeploy service cannot move to a new target group through UpdateService. @default []
   */
  readonly replaceWith?: readonly string[];
  /** Cloud Map service the tasks register in. @default none */
  readonly serviceRegistryArn?: string;
  /** ECS Service Connect. @default none */
  readonly serviceConnect?: ServiceConnectProps;
  /**
   * Tasks the service is created with (a Terraform expression is fine: 0 until the first
   * release, see release-record.ts). @default the service's desiredCount
   */
  readonly initialDesiredCount?: number;
  /** Application Auto Scaling owns desired_count after creation. @default true */
  readonly autoscaled?: boolean;
  /** ECS Exec; off unless asked. @default false */
  readonly enableExecuteCommand?: boolean;
  /**
   * Resources the service must wait for: CreateService rejects a target group that no
   * listener (rule) attaches to a load balancer yet, so pass the production listener rule.
   * @default []
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Attributes UpdateService refuses to change on a CODE_DEPLOY service (they change only through
 * a new CodeDeploy deployment), so Terraform must not try: the task definition and load
 * balancer are CodeDeploy's, and network configuration and capacity provider strategy would
 * fail the apply.
 */
export const CODE_DEPLOY_IGNORED = [
  "task_definition",
  "load_balancer",
  "network_configuration",
  "capacity_provider_strategy",
];

/**
 * The ECS service: private subnets without public IPs, the capacity provider strategy, Cloud
 * Map or Service Connect, and the deployment strategy: CodeDeploy blue/green (controller
 * CODE_DEPLOY), ECS-native blue/green (BLUE_GREEN/CANARY/LINEAR with bake time and the target
 * group gate), or rolling; the ECS strategies with the circuit breaker and CloudWatch alarms,
 * both rolling back.
 */
export class FargateEcsService extends Construct {
  readonly ecsService: EcsService;
  /**
   * Alarms on the health of a new revision (app error logs; Service Connect 5xx): the ECS
   * service's rollback alarms, or for CodeDeploy services part of the deployment group's.
   */
  readonly deploymentAlarms: CloudwatchMetricAlarm[];
  readonly name: string;

  constructor(scope: Construct, id: string, props: FargateEcsServiceProps) {
    super(scope, id);
    const { naming, serviceName, service: svc } = props;
    const strategy = props.strategy ?? "rolling";
    const codeDeploy = strategy === "codedeploy";
    const ecsBlueGreen = strategy === "ecs-blue-green";
    const autoscaled = props.autoscaled ?? true;
    const fail = (message: string) => {
      throw new ValidationError(`fargate-service ${serviceName}: ${message}`, this);
    };
    if (codeDeploy && !props.loadBalancer) fail("CodeDeploy blue/green needs a load balancer target group");
    // ECS Service Connect supports only the ECS deployment controller.
    if (codeDeploy && props.serviceConnect) fail("Service Connect cannot be used with CodeDeploy blue/green");
    // Service Connect creates its own Cloud Map service for the discovery name; a second
    // registration of the same service would collide in the namespace.
    if (ecsBlueGreen && !props.loadBalancer?.advanced && !props.serviceConnect)
      fail(
        "ECS-native blue/green shifts traffic through the ALB (loadBalancer.advanced) or Service Connect; neither was given",
      );
    if (props.loadBalancer?.advanced && !ecsBlueGreen)
      fail(`load_balancer.advanced_configuration is for ECS-native blue/green (strategy is ${strategy})`);
    if (props.serviceConnect && props.serviceRegistryArn)
      fail("register in Cloud Map either directly or through Service Connect, not both");

    this.name = naming.name("ecsService", serviceName);
    this.deploymentAlarms = this.alarms(props);
    const rollbackAlarms = [
      ...this.deploymentAlarms.map((a) => a.alarmName),
      ...(props.blueGreenAlarmNames ?? []),
    ];

    // Releases (`npm run release`) register new task definition revisions outside Terraform;
    // a later `cdktf deploy` must not roll the service back to the revision Terraform knows.
    // ECS-native blue/green swaps the primary and alternate target groups of `load_balancer`
    // on every deployment (hashicorp/terraform-provider-aws#45678: writing the configured pair
    // back breaks the alternation), so the controller owns it there as CodeDeploy does.
    const ignoreChanges = [
      ...(codeDeploy ? CODE_DEPLOY_IGNORED : ["task_definition"]),
      ...(ecsBlueGreen && props.loadBalancer ? ["load_balancer"] : []),
      ...(autoscaled ? ["desired_count"] : []),
    ];
    // A switch of deployment strategy replaces the service. In place, the new configuration's
    // ignore_changes would keep the old `load_balancer` (no advanced_configuration when entering
    // ECS-native blue/green), and leaving it would keep the Computed BLUE_GREEN strategy (the
    // provider sends deployment_configuration only when set). A new service starts on the blue
    // target group its configuration names, with the released image (release record).
    const strategyMarker = new TerraformDataMarker(this, "strategy", { strategy });
    this.ecsService = new EcsService(this, "service", {
      name: this.name,
      cluster: props.clusterArn,
      taskDefinition: props.taskDefinitionArn,
      desiredCount: props.initialDesiredCount ?? svc.desiredCount,
      capacityProviderStrategy: props.capacityProviderStrategy.map((s) => ({
        capacityProvider: s.provider,
        base: s.base,
        weight: s.weight,
      })),
      networkConfiguration: {
        subnets: props.subnetIds,
        securityGroups: props.securityGroupIds,
        assignPublicIp: false,
      },
      propagateTags: "SERVICE",
      enableExecuteCommand: props.enableExecuteCommand ?? false,
      // Delete even with running tasks so environments always destroy.
      forceDelete: true,
      waitForSteadyState: false,
      deploymentController: { type: codeDeploy ? "CODE_DEPLOY" : "ECS" },
      ...(props.loadBalancer
        ? {
            loadBalancer: [loadBalancerBlock(props.loadBalancer)],
            healthCheckGracePeriodSeconds: svc.healthCheck.gracePeriodSeconds,
          }
        : {}),
      ...(codeDeploy
        ? {}
        : {
            // Blue/green runs the full new revision next to the old one: these apply to rolling.
            ...(ecsBlueGreen
              ? { deploymentConfiguration: ecsBlueGreenConfiguration(svc.deployment) }
              : {
                  deploymentMinimumHealthyPercent: svc.deployment.minimumHealthyPercent,
                  deploymentMaximumPercent: svc.deployment.maximumPercent,
                }),
            // Both failure detections support rolling and ECS blue/green deployments (ECS
            // developer guide, "Amazon ECS deployment failure detection").
            deploymentCircuitBreaker: { enable: true, rollback: true },
            alarms: { alarmNames: rollbackAlarms, enable: true, rollback: true },
          }),
      ...(props.serviceRegistryArn ? { serviceRegistries: { registryArn: props.serviceRegistryArn } } : {}),
      ...(props.serviceConnect
        ? { serviceConnectConfiguration: serviceConnect(props.serviceConnect, ecsBlueGreen) }
        : {}),
      lifecycle: {
        ignoreChanges,
        replaceTriggeredBy: [replacementTrigger(strategyMarker), ...(props.replaceWith ?? [])],
      },
      dependsOn: props.dependsOn?.length ? props.dependsOn : undefined,
    });
  }

  /**
   * Alarms on what a bad revision shows, whatever the load: error lines in the app's own log
   * group and, where the service serves over Service Connect, 5xx answers its proxy counts.
   */
  private alarms(props: FargateEcsServiceProps): CloudwatchMetricAlarm[] {
    const d = props.deploymentAlarms;
    const endpoint = props.serviceConnect?.endpoint;
    errorLineFilter(this, props.naming, props.serviceName, d);
    const perMinute = rollbackErrorLinesPerMinute(d.errorLogLines);
    const watched = [
      {
        key: "log-errors",
        what: `${perMinute} or more app error log lines a minute (pager: ${d.errorLogLines} in 5 minutes)`,
        metric: {
          namespace: d.errorLogMetric.namespace,
          metricName: d.errorLogMetric.metricName,
          statistic: "Sum",
          period: 60,
        },
        threshold: perMinute,
      },
      ...(endpoint && (endpoint.callerEcsServiceNames ?? []).length > 0
        ? [
            {
              key: "mesh-5xx",
              what: `${d.http5xxPerMinute ?? 5} or more 5xx a minute answered to Service Connect callers in this cluster`,
              metric: meshTarget5xx(
                props.clusterName,
                endpoint.discoveryName,
                endpoint.callerEcsServiceNames ?? [],
              ),
              threshold: d.http5xxPerMinute ?? 5,
            },
          ]
        : []),
    ];
    return watched.map(
      (m) =>
        new CloudwatchMetricAlarm(this, `rollback-${m.key}`, {
          alarmName: props.naming.name("alarm", `${props.serviceName}-rollback-${m.key}`),
          alarmDescription: `${props.serviceName}: ${m.what} for ${ROLLBACK_ALARM_PERIODS} minutes: rolls back a deployment in progress (deployment signal: never pages)`,
          ...m.metric,
          evaluationPeriods: ROLLBACK_ALARM_PERIODS,
          datapointsToAlarm: ROLLBACK_ALARM_PERIODS,
          threshold: m.threshold,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          // Quiet minutes publish 0 (log filter) or nothing (no 5xx): not a failure.
          treatMissingData: "notBreaching",
        }),
    );
  }
}

/**
 * The metric filter counting a service's error log lines. It lives in the platform stack, next
 * to the rollback alarm reading it: in the observability stack (applied later, or failed) the
 * rollback alarm would see no data and never fire. Scheduled jobs have no rollback alarm but
 * get the filter too: the observability stack's pager reads the metric by name.
 */
export function errorLineFilter(
  scope: Construct,
  naming: Naming,
  serviceName: string,
  d: Pick<DeploymentAlarmSettings, "errorLogMetric" | "errorLogPattern" | "logGroupName">,
): CloudwatchLogMetricFilter {
  return new CloudwatchLogMetricFilter(scope, "error-lines", {
    name: naming.name("logMetricFilter", `${serviceName}-error-lines`),
    logGroupName: d.logGroupName,
    pattern: d.errorLogPattern,
    metricTransformation: {
      namespace: d.errorLogMetric.namespace,
      name: d.errorLogMetric.metricName,
      value: "1",
      // 0 for quiet minutes: alarms and graphs see "no errors" rather than "no data" (a
      // default value cannot be combined with dimensions; the service is in the metric name).
      defaultValue: "0",
      unit: "Count",
    },
  });
}

/**
 * Target 5xx of a Service Connect endpoint as answered to the given callers of one cluster.
 * ECS publishes the target metrics on `TargetDiscoveryName` alone (every caller in the
 * account and Region: another blueprint or cluster with the same discovery name adds to it) or
 * on `ClusterName, ServiceName, TargetDiscoveryName` with the CALLING service's name (ECS
 * developer guide, "Amazon ECS CloudWatch metrics", Service Connect metrics), so the alarm sums
 * the latter over this cluster's callers; a caller without traffic publishes nothing (FILL 0).
 */
export function meshTarget5xx(clusterName: string, discoveryName: string, callers: readonly string[]) {
  return {
    metricQuery: [
      ...callers.map((caller, i) => ({
        id: `c${i}`,
        returnData: false,
        metric: {
          namespace: "AWS/ECS",
          metricName: "HTTPCode_Target_5XX_Count",
          dimensions: { ClusterName: clusterName, ServiceName: caller, TargetDiscoveryName: discoveryName },
          stat: "Sum",
          period: 60,
        },
      })),
      {
        id: "errors",
        label: `5xx answered by ${discoveryName} to this cluster's callers`,
        expression: `SUM([${callers.map((_, i) => `FILL(c${i}, 0)`).join(", ")}])`,
        returnData: true,
      },
    ],
  };
}

function loadBalancerBlock(lb: NonNullable<FargateEcsServiceProps["loadBalancer"]>) {
  const { advanced, ...block } = lb;
  return advanced
    ? {
        ...block,
        advancedConfiguration: {
          alternateTargetGroupArn: advanced.alternateTargetGroupArn,
          productionListenerRule: advanced.productionListenerRuleArn,
          testListenerRule: advanced.testListenerRuleArn,
          roleArn: advanced.roleArn,
        },
      }
    : block;
}

/** ECS API strategy names per traffic shift (DeploymentConfiguration.strategy). */
export const ECS_STRATEGY = { "all-at-once": "BLUE_GREEN", canary: "CANARY", linear: "LINEAR" } as const;

function ecsBlueGreenConfiguration(d: ServiceConfig["deployment"]): EcsServiceDeploymentConfiguration {
  const shift = d.trafficShift;
  return {
    strategy: ECS_STRATEGY[shift.type],
    // Minutes blue stays up after the full shift, with the alarms still able to roll back.
    bakeTimeInMinutes: String(d.bakeTimeMinutes),
    ...(shift.type === "canary"
      ? {
          canaryConfiguration: {
            canaryPercent: shift.percent,
            canaryBakeTimeInMinutes: String(shift.bakeMinutes),
          },
        }
      : {}),
    ...(shift.type === "linear"
      ? {
          linearConfiguration: {
            stepPercent: shift.stepPercent,
            stepBakeTimeInMinutes: String(shift.stepBakeMinutes),
          },
        }
      : {}),
  };
}

/**
 * Header that sends a Service Connect request to the green revision of an ECS-native blue/green
 * service before production shifts (client_alias.test_traffic_rules): the in-mesh counterpart of
 * the ALB's test listener, for pre-traffic checks running in a meshed task.
 */
export const BLUE_GREEN_TEST_HEADER = { name: "x-blue-green-test", value: "green" } as const;

function serviceConnect(sc: ServiceConnectProps, blueGreen: boolean): EcsServiceServiceConnectConfiguration {
  const ep = sc.endpoint;
  return {
    enabled: true,
    namespace: sc.namespaceArn,
    service: ep
      ? [
          {
            portName: ep.portName,
            discoveryName: ep.discoveryName,
            clientAlias: {
              port: ep.port,
              dnsName: ep.dnsName,
              ...(blueGreen
                ? {
                    testTrafficRules: [
                      {
                        header: {
                          name: BLUE_GREEN_TEST_HEADER.name,
                          value: { exact: BLUE_GREEN_TEST_HEADER.value },
                        },
                      },
                    ],
                  }
                : {}),
            },
            ...(ep.ingressPortOverride !== undefined ? { ingressPortOverride: ep.ingressPortOverride } : {}),
            ...(ep.tls
              ? {
                  tls: {
                    issuerCertAuthority: { awsPcaAuthorityArn: ep.tls.caArn },
                    roleArn: ep.tls.roleArn,
                    kmsKey: ep.tls.kmsKeyArn,
                  },
                }
              : {}),
          },
        ]
      : undefined,
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": sc.logGroupName,
        "awslogs-region": sc.region,
        "awslogs-stream-prefix": "service-connect",
      },
    },
  };
}
