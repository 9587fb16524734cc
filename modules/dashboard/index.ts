/**
 * CloudWatch dashboards generated from the service catalog: one overview per environment (the
 * on-call engineer's first screen: every service's health in one row) and one dashboard per
 * service with its full detail. Bodies are built in TypeScript from the metric catalog and
 * serialised with `JSON.stringify`: platform identifiers are Terraform tokens inside JSON string
 * values, which cdktf resolves to `${...}` interpolations Terraform fills in at apply time.
 */
import { Lazy, Token } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import type { ServiceKind } from "../../config/schema";
import type { Naming } from "../naming";
import type { DatabaseSignals, LoadBalancerSignals, MetricRef, Series, ServiceSignals } from "./metrics";
import { ValidationError } from "../errors";

export * from "./metrics";

/** Widgets CloudWatch accepts in one dashboard body ("between 0 and 500 widget objects"). */
export const MAX_WIDGETS = 500;

/** Dashboard grid width (CloudWatch lays widgets out on 24 columns). */
const GRID_COLUMNS = 24;
const GRAPH_HEIGHT = 6;

export interface Threshold {
  readonly label: string;
  readonly value: number;
}

export type WidgetSpec =
  | {
      readonly type: "graph";
      readonly title: string;
      readonly series: readonly Series[];
      /** Columns of 24. @default 8 */
      readonly width?: number;
      /** Horizontal lines, e.g. the alarm threshold of the plotted metric. */
      readonly thresholds?: readonly Threshold[];
    }
  | { readonly type: "text"; readonly markdown: string }
  /** Current state of alarms (the on-call engineer's "what is firing now"). */
  | { readonly type: "alarms"; readonly title: string; readonly alarmArns: readonly string[] }
  | {
      readonly type: "log";
      readonly title: string;
      readonly logGroupName: string;
      /** Logs Insights query without its `SOURCE` clause. */
      readonly query: string;
      /** @default 24 */
      readonly width?: number;
    };

/** Alarm thresholds drawn on the graphs (the same numbers the alarms use). */
export interface DashboardThresholds {
  readonly cpuPercent: number;
  readonly memoryPercent: number;
  readonly http5xxRatePercent: number;
  readonly queueAgeSeconds: number;
}

export interface ServiceDashboardInput {
  readonly signals: ServiceSignals;
  /** Lowest task count the service should run (drawn on the task graph). */
  readonly minCount: number;
  readonly logGroupName: string;
  /** Logs Insights query (no `SOURCE`) listing the service's recent errors. */
  readonly recentErrorsQuery: string;
  /** The service's alarms, shown as a status widget at the top. @default none */
  readonly alarmArns?: readonly string[];
}

export interface ServiceDashboardsProps {
  readonly naming: Naming;
  /** Region of the metrics (the blueprint's region). */
  readonly region: string;
  /** Title of the overview, e.g. `trading (dev)`. */
  readonly environmentLabel: string;
  /** Services in catalog order. */
  readonly services: readonly ServiceDashboardInput[];
  /** Load balancer-wide signals; omitted when the platform has no ALB (no web service). */
  readonly loadBalancer?: LoadBalancerSignals;
  /** Database signals, where the blueprint has a database. */
  readonly database?: DatabaseSignals;
  readonly thresholds: DashboardThresholds;
  /** One health alarm per service (the composites), shown at the top of the overview. @default none */
  readonly healthAlarmArns?: readonly string[];
}

export class ServiceDashboards extends Construct {
  readonly overview: CloudwatchDashboard;
  /** Per-service dashboards, by service name. */
  readonly services: Readonly<Record<string, CloudwatchDashboard>>;
  /** Console links: `overview` and one per service. */
  readonly urls: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ServiceDashboardsProps) {
    super(scope, id);
    // Dashboard name → key of the dashboard that has it (a service named like the blueprint
    // would otherwise silently share the overview's name).
    const owners = new Map<string, string>();
    const urls: Record<string, string> = {};
    const dashboard = (key: string, subject: string | undefined, widgets: WidgetSpec[]) => {
      const name = props.naming.name("dashboard", subject);
      const clash = owners.get(name);
      if (clash !== undefined)
        throw new ValidationError(
          `dashboard: the ${key} dashboard would reuse the name ${name} of the ${clash} dashboard`,
          this,
        );
      owners.set(name, key);
      urls[key] = dashboardUrl(props.region, name);
      return new CloudwatchDashboard(this, key, {
        dashboardName: name,
        dashboardBody: renderDashboard(widgets, props.region),
      });
    };

    this.overview = dashboard("overview", undefined, overviewWidgets(props));
    this.services = Object.fromEntries(
      props.services.map((s) => [
        s.signals.name,
        dashboard(s.signals.name, s.signals.name, serviceWidgets(s, props)),
      ]),
    );
    this.urls = urls;
  }
}

/** Console link to a dashboard, on the console domain of the region's partition. */
export function dashboardUrl(region: string, dashboardName: string): string {
  let host = `${region}.console.aws.amazon.com`;
  if (region.startsWith("us-gov-")) host = "console.amazonaws-us-gov.com";
  else if (region.startsWith("cn-")) host = "console.amazonaws.cn";
  return `https://${host}/cloudwatch/home?region=${region}#dashboards/dashboard/${dashboardName}`;
}

const KIND_SUMMARY: Record<ServiceKind, string> = {
  web: "behind the ALB, blue/green target groups",
  backend: "internal, reached through Cloud Map or Service Connect",
  worker: "consumes its SQS queue",
  scheduled: "EventBridge Scheduler job",
};

function overviewWidgets(props: ServiceDashboardsProps): WidgetSpec[] {
  const t = props.thresholds;
  const widgets: WidgetSpec[] = [
    {
      type: "text",
      markdown: `# ${props.environmentLabel}: platform overview\nOne row per service; each service has its own dashboard with the detail.`,
    },
  ];
  if (props.healthAlarmArns)
    widgets.push({ type: "alarms", title: "Service health", alarmArns: props.healthAlarmArns });
  const lb = props.loadBalancer;
  if (lb) {
    widgets.push(
      { type: "graph", title: "Load balancer requests", series: [lb.requests], width: 8 },
      {
        type: "graph",
        title: "Load balancer errors",
        series: [lb.target5xx, lb.elb5xx, lb.elb4xx],
        width: 8,
      },
      { type: "graph", title: "Response time p99 (s)", series: [lb.latencyP99], width: 8 },
    );
  }
  for (const s of props.services) {
    const sig = s.signals;
    widgets.push(
      { type: "text", markdown: `### ${sig.name} (${sig.kind})` },
      {
        type: "graph",
        title: `${sig.name}: CPU and memory %`,
        series: [sig.cpu, sig.memory],
        thresholds: [{ label: "CPU alarm", value: t.cpuPercent }],
      },
    );
    if (sig.tasks)
      widgets.push({
        type: "graph",
        title: `${sig.name}: running vs desired tasks`,
        series: [sig.tasks.running, sig.tasks.desired],
        thresholds: [{ label: "minimum", value: s.minCount }],
      });
    widgets.push(headline(s, props.thresholds));
  }
  if (props.database) widgets.push(...databaseWidgets(props.database));
  return widgets;
}

/** The one graph that tells whether a service of this kind does its job. */
function headline(s: ServiceDashboardInput, t: DashboardThresholds): WidgetSpec {
  const sig = s.signals;
  if (sig.web)
    return {
      type: "graph",
      title: `${sig.name}: 5xx error rate %`,
      series: [sig.web.errorRate],
      thresholds: [{ label: "alarm", value: t.http5xxRatePercent }],
    };
  if (sig.queue)
    return {
      type: "graph",
      title: `${sig.name}: oldest message age (s)`,
      series: [sig.queue.oldestAgeSeconds],
      thresholds: [{ label: "alarm", value: t.queueAgeSeconds }],
    };
  if (sig.schedule)
    return {
      type: "graph",
      title: `${sig.name}: runs`,
      series: [sig.schedule.attempts, sig.schedule.failedRuns],
    };
  if (sig.serviceConnect)
    return {
      type: "graph",
      title: `${sig.name}: mesh requests`,
      series: [sig.serviceConnect.requests, sig.serviceConnect.target5xx],
    };
  return { type: "graph", title: `${sig.name}: network (bytes/s)`, series: [sig.networkRx, sig.networkTx] };
}

function serviceWidgets(s: ServiceDashboardInput, props: ServiceDashboardsProps): WidgetSpec[] {
  const sig = s.signals;
  const t = props.thresholds;
  const widgets: WidgetSpec[] = [
    { type: "text", markdown: `# ${sig.name} (${sig.kind})\n${KIND_SUMMARY[sig.kind]}` },
    ...(s.alarmArns ? [{ type: "alarms", title: "Alarms", alarmArns: s.alarmArns } as const] : []),
    {
      type: "graph",
      title: "CPU and memory %",
      series: [sig.cpu, sig.memory],
      thresholds: [
        { label: "CPU alarm", value: t.cpuPercent },
        { label: "memory alarm", value: t.memoryPercent },
      ],
    },
  ];
  if (sig.tasks)
    widgets.push({
      type: "graph",
      title: "Running vs desired tasks",
      series: [sig.tasks.running, sig.tasks.desired],
      thresholds: [{ label: "minimum", value: s.minCount }],
    });
  widgets.push({ type: "graph", title: "Network (bytes/s)", series: [sig.networkRx, sig.networkTx] });

  if (sig.web) {
    const tgs = sig.web.targetGroups;
    widgets.push(
      { type: "text", markdown: "## Load balancer (blue and green target groups)" },
      { type: "graph", title: "Requests", series: tgs.map((g) => g.requests) },
      { type: "graph", title: "Target response time (s)", series: tgs.flatMap((g) => g.latency) },
      {
        type: "graph",
        title: "HTTP 2xx / 3xx / 4xx / 5xx from targets",
        series: tgs.flatMap((g) => g.statusCodes),
      },
      {
        type: "graph",
        title: "Healthy / unhealthy targets",
        series: tgs.flatMap((g) => [g.healthyHosts, g.unhealthyHosts]),
      },
      {
        type: "graph",
        title: "5xx error rate %",
        series: [sig.web.errorRate],
        thresholds: [{ label: "alarm", value: t.http5xxRatePercent }],
      },
      {
        type: "graph",
        title: "HTTP 4xx / 5xx from the load balancer (all services)",
        series: sig.web.loadBalancerErrors,
      },
    );
  }
  if (sig.queue)
    widgets.push(
      { type: "text", markdown: "## Queue" },
      { type: "graph", title: "Queue depth", series: [sig.queue.visible, sig.queue.deadLetterVisible] },
      {
        type: "graph",
        title: "Age of oldest message (s)",
        series: [sig.queue.oldestAgeSeconds],
        thresholds: [{ label: "alarm", value: t.queueAgeSeconds }],
      },
    );
  if (sig.schedule)
    widgets.push(
      { type: "text", markdown: "## Schedule" },
      {
        type: "graph",
        title: "Invocations and failures",
        series: [sig.schedule.attempts, sig.schedule.targetErrors, sig.schedule.failedRuns],
        width: 12,
      },
    );
  if (sig.serviceConnect) {
    const sc = sig.serviceConnect;
    widgets.push(
      { type: "text", markdown: "## Service Connect (inbound)" },
      { type: "graph", title: "Mesh requests", series: [sc.requests] },
      { type: "graph", title: "Mesh 2xx / 3xx / 4xx / 5xx", series: sc.statusCodes },
      { type: "graph", title: "Mesh response time p50 / p90 / p99 (ms)", series: sc.latency },
      { type: "graph", title: "Mesh active connections", series: [sc.activeConnections] },
    );
  }
  if (sig.appRequests)
    widgets.push(
      { type: "text", markdown: "## Requests (from the app's JSON request logs)" },
      { type: "graph", title: "Response time p50 / p90 / p99 (ms)", series: sig.appRequests.latency },
      { type: "graph", title: "2xx / 3xx / 4xx / 5xx", series: sig.appRequests.statusCodes },
    );
  const logLines = [sig.logs.errors, ...(sig.logs.application ? [sig.logs.application] : [])];
  widgets.push(
    { type: "text", markdown: "## Logs" },
    { type: "graph", title: "Log metrics", series: logLines, width: 24 },
    { type: "log", title: "Recent errors", logGroupName: s.logGroupName, query: s.recentErrorsQuery },
  );
  return widgets;
}

function databaseWidgets(db: DatabaseSignals): WidgetSpec[] {
  return [
    { type: "text", markdown: "### Database (Aurora PostgreSQL)" },
    { type: "graph", title: "Database CPU %", series: [db.cpu] },
    { type: "graph", title: "Database connections", series: [db.connections] },
    { type: "graph", title: "Database freeable memory (bytes)", series: [db.freeableMemory] },
  ];
}

/**
 * The dashboard body JSON. Widgets flow left to right on the 24-column grid; a text widget
 * always starts a new row and spans it.
 */
export function renderDashboard(widgets: readonly WidgetSpec[], region: string): string {
  if (widgets.length > MAX_WIDGETS) {
    // PutDashboard rejects a body with more widgets: fail the synth, not the apply.
    throw new ValidationError(
      `dashboard: ${widgets.length} widgets exceed CloudWatch's ${MAX_WIDGETS} per dashboard; split the catalog's overview`,
    );
  }
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const newRow = () => {
    x = 0;
    y += rowHeight;
    rowHeight = 0;
  };
  const place = (width: number, height: number) => {
    if (x + width > GRID_COLUMNS) newRow();
    const at = { x, y, width, height };
    x += width;
    rowHeight = Math.max(rowHeight, height);
    return at;
  };
  const rendered = widgets.map((w) => {
    switch (w.type) {
      case "text": {
        if (x > 0) newRow();
        const lines = w.markdown.split("\n").length;
        return { type: "text", ...place(GRID_COLUMNS, lines), properties: { markdown: w.markdown } };
      }
      case "alarms":
        return {
          type: "alarm",
          ...place(GRID_COLUMNS, 2 + Math.ceil(w.alarmArns.length / 4)),
          properties: { title: w.title, alarms: w.alarmArns },
        };
      case "log":
        return {
          type: "log",
          ...place(w.width ?? GRID_COLUMNS, GRAPH_HEIGHT),
          properties: {
            title: w.title,
            region,
            view: "table",
            query: `SOURCE '${w.logGroupName}' | ${w.query}`,
          },
        };
      case "graph":
        return {
          type: "metric",
          ...place(w.width ?? 8, GRAPH_HEIGHT),
          properties: {
            title: w.title,
            region,
            view: "timeSeries",
            stacked: false,
            period: 60,
            metrics: metricsArray(w.series),
            // Every plotted value is a count, a duration or a percentage: never below zero.
            yAxis: { left: { min: 0 } },
            ...(w.thresholds && {
              annotations: { horizontal: w.thresholds.map((h) => ({ label: h.label, value: h.value })) },
            }),
          },
        };
    }
  });
  return joinWidgets(rendered.map((w) => JSON.stringify(w)));
}

/**
 * `{"widgets":[...]}` from each widget's JSON. When a widget holds a token (an alarm ARN, a load
 * balancer's ARN suffix), each widget becomes a string of its own inside the body (a `Lazy` that
 * produces it), and the written body is the same text. Why: cdktf tokenizes a string that holds
 * a token by searching, at every `}`, the rest of the string for `${`, which is quadratic in the
 * string's length; a 100-service overview is one 346 KB string with 3,727 `}`, ~10 % of the
 * whole synth. Per widget, each search ends at its widget's end (docs/benchmark.md).
 */
function joinWidgets(widgets: readonly string[]): string {
  const parts = widgets.some((w) => Token.isUnresolved(w))
    ? widgets.map((w) => Lazy.stringValue({ produce: () => w }))
    : widgets;
  return `{"widgets":[${parts.join(",")}]}`;
}

/**
 * The `metrics` array of a graph widget. Metric math inputs are drawn hidden, with ids prefixed
 * per series so two expressions in one widget cannot collide.
 */
export function metricsArray(series: readonly Series[]): unknown[][] {
  const rows: unknown[][] = [];
  series.forEach((s, i) => {
    if (s.kind === "metric") {
      rows.push(metricRow(s.metric, { label: s.label }));
      return;
    }
    const prefix = `s${i}_`;
    for (const [id, m] of Object.entries(s.inputs))
      rows.push(metricRow(m, { id: prefix + id, visible: false }));
    const ids = new RegExp(`\\b(${Object.keys(s.inputs).join("|")})\\b`, "g");
    const expression = s.expression.replace(ids, (id) => prefix + id);
    rows.push([{ expression, label: s.label, id: `e${i}` }]);
  });
  return rows;
}

function metricRow(m: MetricRef, options: Record<string, unknown>): unknown[] {
  return [m.namespace, m.metricName, ...Object.entries(m.dimensions).flat(), { stat: m.stat, ...options }];
}
