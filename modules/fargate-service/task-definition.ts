import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import type { Blueprint, ServiceConfig } from "../../config/schema";
import { fargateMemoryRule, isValidFargatePair } from "../../config/fargate";
import type { Naming } from "../naming";
import { ValidationError } from "../errors";
import { tracingName } from "../tracing";

/** An environment variable whose value ECS reads from Secrets Manager at task start. */
export interface ContainerSecret {
  readonly name: string;
  /** Secret ARN, or `<arn>:<json-key>::` for one key of a JSON secret. */
  readonly valueFrom: string;
}

export interface ServiceTaskDefinitionProps {
  readonly naming: Naming;
  readonly serviceName: string;
  readonly service: ServiceConfig;
  /**
   * The app container's image: the released image from the service's release record (see
   * release-record.ts), never a moving tag such as `latest`.
   */
  readonly image: string;
  /** Region and account of the ECR registry (derived, never a reference to the registry stack). */
  readonly region: string;
  readonly accountId: string;
  readonly logRetentionDays: number;
  /** CMK that encrypts the log group (its key policy must admit CloudWatch Logs). */
  readonly kmsKeyArn: string;
  readonly tracing: Blueprint["tracing"];
  readonly executionRoleArn: string;
  readonly taskRoleArn: string;
  /** Variables the platform derives (callee URLs, database endpoint, queue URL). @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** Variables injected from Secrets Manager. @default [] */
  readonly secrets?: ContainerSecret[];
  /** The service joins ECS Service Connect: its port mapping declares `appProtocol: http`. @default false */
  readonly serviceConnect?: boolean;
  /**
   * Namespace of the metrics the ADOT collector writes as EMF (the service's custom scaling
   * metric namespace, or the platform's). @default the platform's namespace
   */
  readonly metricNamespace?: string;
}

/** Name of the writable volume mounted at /tmp when the root filesystem is read-only. */
const TMP_VOLUME = "tmp";
/** The X-Ray daemon's UDP port (and the ADOT collector's X-Ray receiver). */
export const XRAY_DAEMON_PORT = 2000;
/** OTLP gRPC port of the ADOT collector. */
export const OTLP_GRPC_PORT = 4317;
/** OTLP over HTTP, the collector's other standard receiver port (SDKs exporting http/protobuf). */
export const OTLP_HTTP_PORT = 4318;

/**
 * Sidecar images pinned to released versions (both publish version tags to public ECR next to
 * `latest`): a moving tag would change the sidecar under running services at the next task start,
 * untested. Bump deliberately. X-Ray daemon: aws/aws-xray-daemon CHANGELOG; ADOT collector:
 * aws-observability/aws-otel-collector docs/releases.
 */
export const XRAY_DAEMON_IMAGE = "public.ecr.aws/xray/aws-xray-daemon:3.6.0";
export const ADOT_COLLECTOR_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.50.0";

/** Where a sidecar's own configuration points: the task's log groups and metric namespace. */
export interface SidecarContext {
  /** The environment-scoped service name traces carry (naming kind `tracingName`). */
  readonly tracingName: string;
  /** Log group the collector writes EMF metrics to (created by the platform). */
  readonly metricsLogGroupName: string;
  readonly metricNamespace: string;
  readonly serviceName: string;
}

interface Sidecar {
  readonly name: string;
  readonly image: string;
  readonly cpu: number;
  readonly memoryReservation: number;
  readonly command?: string[];
  readonly portMappings: { containerPort: number; protocol: string }[];
  /** Environment of the sidecar itself (besides AWS_REGION). */
  readonly environment?: (c: SidecarContext) => Record<string, string>;
  /** Environment the app container gets so its SDK finds the sidecar. */
  readonly appEnvironment: (c: SidecarContext) => Record<string, string>;
  /** Writes EMF metrics to a log group of its own (the platform creates it). */
  readonly writesEmf: boolean;
}

/** Port of the ADOT collector's X-Ray sampling proxy (awsproxy extension), the SDKs' default. */
export const XRAY_SAMPLING_PROXY_PORT = 2000;
/** Environment variable holding the ADOT collector's configuration. */
export const ADOT_CONFIG_VARIABLE = "ADOT_COLLECTOR_CONFIG";

/**
 * The ADOT collector's configuration, explicit instead of the image's ECS default (which has no
 * X-Ray remote sampling and writes EMF to `/aws/ecs/application/metrics`, a group the task would
 * create at run time without KMS key or retention):
 * - the `awsproxy` extension serves X-Ray's GetSamplingRules/GetSamplingTargets to the SDK's X-Ray
 *   remote sampler on 127.0.0.1:2000, so this environment's sampling rules apply (ADOT docs,
 *   "Configuring the OpenTelemetry Collector for X-Ray remote sampling");
 * - OTLP in on loopback only (containers of an awsvpc task share it);
 * - traces to X-Ray; metrics as EMF to the platform's metrics log group of the service.
 * JSON is YAML, so the collector reads it from an environment variable through its `env:`
 * configuration provider (ADOT docs, "Confmap providers").
 */
export function adotCollectorConfig(c: SidecarContext): Record<string, unknown> {
  return {
    extensions: { awsproxy: { endpoint: `127.0.0.1:${XRAY_SAMPLING_PROXY_PORT}` } },
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `127.0.0.1:${OTLP_GRPC_PORT}` },
          http: { endpoint: `127.0.0.1:${OTLP_HTTP_PORT}` },
        },
      },
    },
    processors: {
      // ECS resource attributes (aws.ecs.task.id, ...) from the task metadata endpoint: the
      // awsemf exporter fills `{TaskId}` in log_stream_name from them, else the placeholder
      // stays literal and every task writes one stream. `env` keeps OTEL_RESOURCE_ATTRIBUTES.
      resourcedetection: { detectors: ["env", "ecs"], timeout: "2s", override: false },
      batch: {},
    },
    exporters: {
      awsxray: {},
      awsemf: {
        namespace: c.metricNamespace,
        log_group_name: c.metricsLogGroupName,
        log_stream_name: `${c.serviceName}/{TaskId}`,
      },
    },
    service: {
      extensions: ["awsproxy"],
      pipelines: {
        traces: { receivers: ["otlp"], processors: ["resourcedetection", "batch"], exporters: ["awsxray"] },
        metrics: { receivers: ["otlp"], processors: ["resourcedetection", "batch"], exporters: ["awsemf"] },
      },
    },
  };
}

/**
 * Tracing sidecars. Containers of an awsvpc task share one network namespace, so the app
 * reaches the sidecar on loopback; 127.0.0.1 rather than `localhost`, which may resolve to
 * ::1 where the sidecar does not listen.
 */
export const TRACING_SIDECARS: Record<Blueprint["tracing"]["mode"], Sidecar> = {
  "xray-daemon": {
    name: "xray-daemon",
    image: XRAY_DAEMON_IMAGE,
    cpu: 32,
    memoryReservation: 128,
    portMappings: [{ containerPort: XRAY_DAEMON_PORT, protocol: "udp" }],
    // The tracing name is the segment name this environment's sampling rules and group match.
    appEnvironment: (c) => ({
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${XRAY_DAEMON_PORT}`,
      AWS_XRAY_TRACING_NAME: c.tracingName,
    }),
    writesEmf: false,
  },
  adot: {
    name: "aws-otel-collector",
    image: ADOT_COLLECTOR_IMAGE,
    cpu: 64,
    memoryReservation: 256,
    command: [`--config=env:${ADOT_CONFIG_VARIABLE}`],
    portMappings: [{ containerPort: OTLP_GRPC_PORT, protocol: "tcp" }],
    environment: (c) => ({ [ADOT_CONFIG_VARIABLE]: JSON.stringify(adotCollectorConfig(c)) }),
    appEnvironment: (c) => ({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${OTLP_GRPC_PORT}`,
      OTEL_SERVICE_NAME: c.tracingName,
      // X-Ray needs its trace id format and propagation to join traces across services.
      OTEL_PROPAGATORS: "xray,tracecontext",
      // Sample by this environment's X-Ray rules, through the collector's proxy (CloudWatch
      // user guide, "Trace sampling rate": OTEL_TRACES_SAMPLER=xray with its endpoint). The
      // `xray` sampler ships with the ADOT SDK distributions (and the X-Ray contrib packages),
      // not with a plain OpenTelemetry SDK, which rejects the unknown sampler name.
      OTEL_TRACES_SAMPLER: "xray",
      OTEL_TRACES_SAMPLER_ARG: `endpoint=http://127.0.0.1:${XRAY_SAMPLING_PROXY_PORT}`,
    }),
    writesEmf: true,
  },
};

/** ECR repository name of a service's image (the registry stack uses the same naming). */
export function repositoryName(naming: Naming, serviceName: string, service: ServiceConfig): string {
  return naming.name("ecrRepository", service.image ?? serviceName);
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>`: where images are pushed and pulled. */
export function repositoryUrl(accountId: string, region: string, repository: string): string {
  return `${accountId}.dkr.ecr.${region}.amazonaws.com/${repository}`;
}

/** Sorted `[{name, value}]`: a stable order keeps the task definition from changing on every plan. */
const nameValues = (env: Readonly<Record<string, string>>) =>
  Object.keys(env)
    .sort()
    .map((name) => ({ name, value: env[name] }));

/**
 * The service's log group and task definition: Fargate, awsvpc, X86_64 Linux; the app
 * container named after the service with its image from the registry naming convention, and
 * a non-essential tracing sidecar. Secrets only ever go to `secrets`, never `environment`.
 */
export class ServiceTaskDefinition extends Construct {
  readonly taskDefinition: EcsTaskDefinition;
  /** The app container's log group (nothing else writes to it). */
  readonly logGroup: CloudwatchLogGroup;
  /** Log group of the sidecars: tracing and the Service Connect proxy. */
  readonly sidecarLogGroup: CloudwatchLogGroup;
  /** Log group the ADOT collector writes EMF metrics to (ADOT only). */
  readonly metricsLogGroup?: CloudwatchLogGroup;
  /** The app container's name (= the service name): the ALB and CodeDeploy target it. */
  readonly containerName: string;
  /** The app container's port mapping name (Service Connect's `port_name`). */
  readonly portName: string;
  readonly containerPort: number;
  readonly image: string;
  readonly repositoryName: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>`: where the release CLI pushes. */
  readonly repositoryUrl: string;
  /** The container definitions as plain objects (tokens unresolved), for inspection. */
  readonly containers: Record<string, unknown>[];

  constructor(scope: Construct, id: string, props: ServiceTaskDefinitionProps) {
    super(scope, id);
    const { naming, serviceName: name, service: svc } = props;
    if (!isValidFargatePair(svc.cpu, svc.memory)) {
      throw new ValidationError(
        `fargate-service ${name}: cpu ${svc.cpu} / memory ${svc.memory} is not a Fargate size (${fargateMemoryRule(svc.cpu)})`,
        this,
      );
    }
    const sidecar = TRACING_SIDECARS[props.tracing.mode];
    const sidecarContext: SidecarContext = {
      tracingName: tracingName(naming, name),
      metricsLogGroupName: naming.name("metricsLogGroup", name),
      metricNamespace: props.metricNamespace ?? naming.name("metricNamespace"),
      serviceName: name,
    };
    const environment: Record<string, string> = {
      ...(props.environment ?? {}),
      ...sidecar.appEnvironment(sidecarContext),
    };
    // A user value must never silently replace an address the platform injects (QUEUE_URL, the
    // tracing endpoint...): the schema refuses those names; this is the construct's own guard.
    const replaced = Object.keys(svc.environment).filter((k) => k in environment);
    if (replaced.length > 0)
      throw new ValidationError(
        `services.${name}.environment: ${replaced.join(", ")} ${replaced.length > 1 ? "are" : "is"} set by the platform; choose another name`,
        this,
      );
    Object.assign(environment, svc.environment);
    const secrets = [...(props.secrets ?? [])].sort((a, b) => a.name.localeCompare(b.name));
    const clash = secrets.find((s) => s.name in environment);
    if (clash) {
      throw new ValidationError(
        `fargate-service ${name}: ${clash.name} is both a secret and an environment variable; a name is one or the other`,
        this,
      );
    }
    const duplicate = secrets.find((s, i) => secrets.findIndex((o) => o.name === s.name) !== i);
    if (duplicate) {
      throw new ValidationError(`fargate-service ${name}: secret ${duplicate.name} is injected twice`, this);
    }

    this.containerName = name;
    this.portName = name;
    this.containerPort = svc.port;
    this.repositoryName = repositoryName(naming, name, svc);
    this.repositoryUrl = repositoryUrl(props.accountId, props.region, this.repositoryName);
    this.image = props.image;

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: naming.name("logGroup", name),
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    // Sidecars (tracing, and the Service Connect proxy) log to a group of their own: the app's
    // group holds the app's lines only, so its error metric filter counts the app's errors and
    // not the X-Ray daemon's start-up complaints or the proxy's.
    this.sidecarLogGroup = new CloudwatchLogGroup(this, "sidecar-logs", {
      name: naming.name("sidecarLogGroup", name),
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    if (sidecar.writesEmf)
      this.metricsLogGroup = new CloudwatchLogGroup(this, "metrics-logs", {
        name: sidecarContext.metricsLogGroupName,
        retentionInDays: props.logRetentionDays,
        kmsKeyId: props.kmsKeyArn,
      });
    const logs = (prefix: string, group: CloudwatchLogGroup = this.logGroup) => ({
      logDriver: "awslogs",
      options: {
        "awslogs-group": group.name,
        "awslogs-region": props.region,
        "awslogs-stream-prefix": prefix,
        // A CloudWatch Logs outage must not block the app's stdout writes.
        mode: "non-blocking",
        "max-buffer-size": "25m",
      },
    });

    // Workers and scheduled jobs listen on nothing (callers may only target web and backend).
    const listens = svc.kind === "web" || svc.kind === "backend";
    const hc = svc.healthCheck;
    const app: Record<string, unknown> = {
      name,
      image: this.image,
      essential: true,
      portMappings: listens
        ? [
            {
              name: this.portName,
              containerPort: svc.port,
              protocol: "tcp",
              ...(props.serviceConnect ? { appProtocol: "http" } : {}),
            },
          ]
        : [],
      environment: nameValues(environment),
      secrets,
      readonlyRootFilesystem: svc.readonlyRootFilesystem,
      mountPoints: svc.readonlyRootFilesystem
        ? [{ sourceVolume: TMP_VOLUME, containerPath: "/tmp", readOnly: false }]
        : [],
      logConfiguration: logs(name),
      ...(svc.user ? { user: svc.user } : {}),
      ...(hc.command
        ? {
            // ECS limits: interval 5-300 s, timeout 2-60 s, retries 1-10, start period 0-300 s.
            healthCheck: {
              command: ["CMD-SHELL", hc.command],
              interval: hc.intervalSeconds,
              timeout: Math.min(hc.timeoutSeconds, 60),
              retries: hc.unhealthyThreshold,
              startPeriod: Math.min(hc.gracePeriodSeconds, 300),
            },
          }
        : {}),
    };
    const tracer: Record<string, unknown> = {
      name: sidecar.name,
      image: sidecar.image,
      // Losing traces must never stop the service.
      essential: false,
      cpu: sidecar.cpu,
      memoryReservation: sidecar.memoryReservation,
      portMappings: sidecar.portMappings,
      ...(sidecar.command ? { command: sidecar.command } : {}),
      environment: nameValues({ AWS_REGION: props.region, ...(sidecar.environment?.(sidecarContext) ?? {}) }),
      readonlyRootFilesystem: true,
      logConfiguration: logs(sidecar.name, this.sidecarLogGroup),
    };
    this.containers = [app, tracer];

    this.taskDefinition = new EcsTaskDefinition(this, "task", {
      family: naming.name("taskFamily", name),
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(svc.cpu),
      memory: String(svc.memory),
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      executionRoleArn: props.executionRoleArn,
      taskRoleArn: props.taskRoleArn,
      // Tokens inside the strings (log group, secret ARNs, account id) survive JSON.stringify
      // and are resolved to Terraform references at synth.
      containerDefinitions: JSON.stringify(this.containers),
      volume: svc.readonlyRootFilesystem ? [{ name: TMP_VOLUME }] : undefined,
    });
  }
}
