import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import type { PlatformHandles } from "../modules/contracts";
import { PlatformAlarms } from "../modules/alarms";
import {
  dashboardUrl,
  databaseSignals,
  loadBalancerSignals,
  ServiceDashboards,
  ServiceSignals,
  serviceSignals,
} from "../modules/dashboard";
import { ServiceLogInsights } from "../modules/log-insights";
import { tracingName, XRayTracing } from "../modules/tracing";
import { unhealthyAlarmPeriods } from "../modules/fargate-service/blue-green";
import { BaseStack, PlatformStackProps } from "./base";
import { lifecyclePolicy } from "../modules/lifecycle";

export interface ObservabilityStackProps extends PlatformStackProps {
  /**
   * The platform stack (or a test double): its handles are tokens of platform resources, so
   * using them here makes cdktf create platform outputs and remote-state lookups, and this stack
   * depends on `platform` only.
   */
  readonly platform: { readonly handles: PlatformHandles };
}

/**
 * What an on-call engineer uses: dashboards, alarms (with their SNS topic), X-Ray sampling rules
 * and groups, log metric filters and saved Logs Insights queries, all generated from the service
 * catalog and the platform's handles. Deployed after `network` and `platform`.
 */
export class ObservabilityStack extends BaseStack {
  readonly dashboards?: ServiceDashboards;
  readonly alarms?: PlatformAlarms;
  readonly tracing?: XRayTracing;
  readonly logs?: ServiceLogInsights;

  constructor(scope: Construct, props: ObservabilityStackProps) {
    super(scope, "observability", props);
    const { config, naming } = props;
    const handles = props.platform.handles;
    const services = Object.entries(config.services).map(([name, svc]) => {
      const handle = handles.services[name];
      if (!handle)
        throw new Error(
          `observability: the platform hands over no service ${name} (it has: ${Object.keys(handles.services).join(", ")})`,
        );
      return { name, svc, handle };
    });
    if (config.database && !handles.databaseClusterIdentifier)
      throw new Error(
        "observability: the blueprint has a database but handles.databaseClusterIdentifier is missing",
      );

    const calledBy = (name: string) => services.some((caller) => caller.svc.calls.includes(name));
    // Traffic no AWS metric sees: a called backend outside Service Connect (the ALB measures
    // web services, Service Connect meshed ones).
    const unmeasured = (name: string, kind: string) =>
      kind === "backend" && !config.mesh.enabled && calledBy(name);
    const logs = new ServiceLogInsights(this, "logs", {
      naming,
      metricNamespace: naming.name("metricNamespace"),
      errorLogPattern: config.observability.errorLogPattern,
      requestDurationField: config.observability.requestDurationField,
      requestStatusField: config.observability.requestStatusField,
      services: services.map(({ name, svc, handle }) => ({
        name,
        logGroupName: handle.logGroupName,
        metricPattern: svc.metricPattern,
        requestMetrics: unmeasured(name, svc.kind),
      })),
    });
    this.logs = logs;
    const signals: Record<string, ServiceSignals> = Object.fromEntries(
      services.map(({ name, handle }) => [
        name,
        serviceSignals(handles, handle, {
          mesh: config.mesh.enabled,
          logMetrics: logs.metrics[name],
          called: calledBy(name),
        }),
      ]),
    );
    const database = handles.databaseClusterIdentifier
      ? databaseSignals(handles.databaseClusterIdentifier)
      : undefined;
    const obs = config.observability;

    // Alarms quote their service's dashboard and dashboards show their service's alarms: the
    // URLs come from the dashboard names (known before the dashboards exist), the alarm ARNs
    // from the alarm resources.
    const dashboardUrlOf = (service?: string) =>
      dashboardUrl(config.region, naming.name("dashboard", service));
    const alarms = obs.alarms
      ? new PlatformAlarms(this, "alarms", {
          naming,
          lifecycle: lifecyclePolicy(config.lifecycle),
          region: config.region,
          subject: config.name,
          services: services.map(({ name, svc, handle }) => ({
            signals: signals[name],
            minCount: svc.minCount,
            maxCount: svc.maxCount,
            // A starting task set must not page either.
            unhealthyHostPeriods: svc.kind === "web" ? unhealthyAlarmPeriods(svc.healthCheck) : undefined,
            failedRunEvents:
              svc.kind === "scheduled"
                ? {
                    clusterArn: handles.clusterArn,
                    taskDefinitionFamily: handle.taskDefinitionFamily,
                    containerName: handle.containerName,
                  }
                : undefined,
            dashboardUrl: dashboardUrlOf(name),
          })),
          database,
          overviewDashboardUrl: dashboardUrlOf(),
          thresholds: {
            cpuPercent: obs.cpuAlarmPercent,
            memoryPercent: obs.memoryAlarmPercent,
            http5xxRatePercent: obs.http5xxRatePercent,
            queueAgeSeconds: obs.queueAgeAlarmSeconds,
            errorLogLines: obs.errorLogLinesAlarm,
            dbCpuPercent: obs.dbCpuAlarmPercent,
            dbConnections: obs.dbConnectionsAlarm,
          },
          alarmEmail: obs.alarmEmail,
        })
      : undefined;
    this.alarms = alarms;

    const dashboards = new ServiceDashboards(this, "dashboards", {
      naming,
      region: config.region,
      environmentLabel: `${config.name} (${config.environmentSuffix})`,
      services: services.map(({ name, svc, handle }) => ({
        signals: signals[name],
        minCount: svc.minCount,
        logGroupName: handle.logGroupName,
        recentErrorsQuery: logs.queries[name].recentErrors,
        alarmArns: alarms && [...alarms.alarms[name].map((a) => a.arn), alarms.composites[name].arn],
      })),
      loadBalancer: handles.loadBalancer && loadBalancerSignals(handles.loadBalancer.arnSuffix),
      database,
      thresholds: {
        cpuPercent: obs.cpuAlarmPercent,
        memoryPercent: obs.memoryAlarmPercent,
        http5xxRatePercent: obs.http5xxRatePercent,
        queueAgeSeconds: obs.queueAgeAlarmSeconds,
      },
      healthAlarmArns: alarms && Object.values(alarms.composites).map((c) => c.arn),
    });
    this.dashboards = dashboards;

    this.tracing = new XRayTracing(this, "tracing", {
      naming,
      defaultSampling: { rate: config.tracing.samplingRate, reservoir: config.tracing.reservoir },
      services: services.map(({ name, svc }) => ({
        name,
        // The platform sets the same name in AWS_XRAY_TRACING_NAME / OTEL_SERVICE_NAME.
        tracingName: tracingName(naming, name),
        sampling: {
          rate: svc.tracing.samplingRate ?? config.tracing.samplingRate,
          reservoir: svc.tracing.reservoir ?? config.tracing.reservoir,
        },
      })),
    });

    if (alarms)
      new TerraformOutput(this, "alarm_topic_arn", {
        value: alarms.topic.arn,
        description: "SNS topic every alarm notifies (subscribe pagers and chat here)",
      });
    new TerraformOutput(this, "dashboard_urls", {
      value: dashboards.urls,
      description: "CloudWatch console links: the overview and one dashboard per service",
    });
  }
}
