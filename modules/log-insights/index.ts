/**
 * Log-derived signals of every service: metric filters on the service's log group (error lines,
 * and the service's own `metricPattern` where configured) that publish custom metrics in the
 * platform's namespace, and CloudWatch Logs Insights saved queries an on-call engineer opens
 * first (recent errors, slowest requests).
 */
import { Construct } from "constructs";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchQueryDefinition } from "@cdktf/provider-aws/lib/cloudwatch-query-definition";
import type { Naming } from "../naming";
import { LogMetrics, metric, STATUS_CLASSES } from "../dashboard/metrics";

/**
 * The custom metric of a service's error log lines, in the platform's namespace: the platform
 * stack's metric filter (next to the rollback alarm, modules/fargate-service/service.ts)
 * publishes it; the observability stack's pager and dashboards read it by name.
 */
export function errorLogMetric(naming: Naming, service: string): { namespace: string; metricName: string } {
  return { namespace: naming.name("metricNamespace"), metricName: `${service}/ErrorLogLines` };
}

export interface LogServiceInput {
  /** Service name in the config. */
  readonly name: string;
  /** The service's CloudWatch Logs group (owned by the platform stack). */
  readonly logGroupName: string;
  /** CloudWatch Logs filter pattern counted as the service's application metric. @default none */
  readonly metricPattern?: string;
  /**
   * The service receives traffic that neither the ALB nor Service Connect measures: publish its
   * request duration and status classes from its JSON request logs. @default false
   */
  readonly requestMetrics?: boolean;
}

export interface ServiceLogInsightsProps {
  readonly naming: Naming;
  /** Namespace of the custom metrics (the platform's, from the naming module). */
  readonly metricNamespace: string;
  /** Filter pattern of error lines, e.g. `?ERROR ?Exception`. */
  readonly errorLogPattern: string;
  /** JSON field holding a request's duration, sorted on by the "slowest requests" query. */
  readonly requestDurationField: string;
  /** JSON field holding a request's HTTP status (request metrics from logs). @default "status" */
  readonly requestStatusField?: string;
  readonly services: readonly LogServiceInput[];
}

export interface ServiceQueries {
  /** Logs Insights query strings (no `SOURCE` clause; the definitions name the log group). */
  readonly recentErrors: string;
  readonly slowestRequests: string;
}

export class ServiceLogInsights extends Construct {
  /** Custom metrics published by the filters, by service name. */
  readonly metrics: Readonly<Record<string, LogMetrics>>;
  readonly queries: Readonly<Record<string, ServiceQueries>>;

  constructor(scope: Construct, id: string, props: ServiceLogInsightsProps) {
    super(scope, id);
    const metrics: Record<string, LogMetrics> = {};
    const queries: Record<string, ServiceQueries> = {};
    const errorFilter = insightsFilterFor(props.errorLogPattern);

    for (const svc of props.services) {
      const logMetrics: LogMetrics = {
        errors: metric(props.metricNamespace, errorLogMetric(props.naming, svc.name).metricName, {}, "Sum"),
        application: svc.metricPattern
          ? metric(props.metricNamespace, `${svc.name}/ApplicationPatternMatches`, {}, "Sum")
          : undefined,
      };
      // The error-line filter is the platform's (see errorLogMetric): only the application one here.
      const published = logMetrics.application;
      if (svc.metricPattern !== undefined && published !== undefined) {
        new CloudwatchLogMetricFilter(this, `${svc.name}-application`, {
          name: props.naming.name("logMetricFilter", `${svc.name}-application`),
          logGroupName: svc.logGroupName,
          pattern: svc.metricPattern,
          metricTransformation: {
            namespace: published.namespace,
            name: published.metricName,
            value: "1",
            // Publish 0 for minutes without a match, so alarms and graphs see "no errors"
            // rather than "no data" (a default value cannot be combined with dimensions, and
            // none are used: the service is in the metric name).
            defaultValue: "0",
            unit: "Count",
          },
        });
      }
      if (svc.requestMetrics) {
        const d = props.requestDurationField;
        const st = props.requestStatusField ?? "status";
        const duration = metric(props.metricNamespace, `${svc.name}/RequestDuration`, {}, "p99");
        // No default value: a 0 for quiet minutes would drag every percentile down.
        new CloudwatchLogMetricFilter(this, `${svc.name}-duration`, {
          name: props.naming.name("logMetricFilter", `${svc.name}-duration`),
          logGroupName: svc.logGroupName,
          pattern: `{ $.${d} = * }`,
          metricTransformation: {
            namespace: duration.namespace,
            name: duration.metricName,
            value: `$.${d}`,
            unit: "Milliseconds",
          },
        });
        const statusClasses = STATUS_CLASSES.map((c) => {
          const m = metric(props.metricNamespace, `${svc.name}/Responses${c}`, {}, "Sum");
          const low = Number(c[0]) * 100;
          new CloudwatchLogMetricFilter(this, `${svc.name}-status-${c.toLowerCase()}`, {
            name: props.naming.name("logMetricFilter", `${svc.name}-status-${c.toLowerCase()}`),
            logGroupName: svc.logGroupName,
            pattern: `{ $.${st} >= ${low} && $.${st} < ${low + 100} }`,
            metricTransformation: {
              namespace: m.namespace,
              name: m.metricName,
              value: "1",
              defaultValue: "0",
              unit: "Count",
            },
          });
          return m;
        });
        metrics[svc.name] = { ...logMetrics, requests: { duration, statusClasses } };
      } else metrics[svc.name] = logMetrics;

      const d = props.requestDurationField;
      const q: ServiceQueries = {
        recentErrors: `fields @timestamp, @logStream, @message | filter ${errorFilter} | sort @timestamp desc | limit 100`,
        slowestRequests: `fields @timestamp, ${d}, @message | filter ispresent(${d}) | sort ${d} desc | limit 50`,
      };
      queries[svc.name] = q;
      for (const [key, queryString] of [
        ["recent-errors", q.recentErrors],
        ["slowest-requests", q.slowestRequests],
      ] as const) {
        new CloudwatchQueryDefinition(this, `${svc.name}-${key}`, {
          name: props.naming.name("logQuery", `${svc.name}-${key}`),
          logGroupNames: [svc.logGroupName],
          queryString,
        });
      }
    }
    this.metrics = metrics;
    this.queries = queries;
  }
}

/**
 * A Logs Insights `filter` condition equivalent to a metric filter pattern, so the saved query
 * finds the lines the error metric counts. Handles the term forms (`?a ?b`: any term;
 * `a b`: all terms); other patterns (JSON or space-delimited selectors) have no Insights
 * equivalent and fall back to a case-insensitive error/exception match.
 */
export function insightsFilterFor(pattern: string): string {
  const tokens = pattern.trim().split(/\s+/);
  if (tokens.every((t) => /^\?[\w-]+$/.test(t)))
    return `@message like /${tokens.map((t) => t.slice(1)).join("|")}/`;
  if (tokens.every((t) => /^[\w-]+$/.test(t))) return tokens.map((t) => `@message like /${t}/`).join(" and ");
  return "@message like /(?i)(error|exception)/";
}
