import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import type { PlatformConfig } from "../../config";
import type { PlatformHandles } from "../../modules/contracts";
import {
  dashboardUrl,
  databaseSignals,
  loadBalancerSignals,
  math,
  MAX_WIDGETS,
  metric,
  metricsArray,
  renderDashboard,
  ServiceDashboards,
  serviceSignals,
} from "../../modules/dashboard";
import { Naming } from "../../modules/naming";
import {
  allKindsConfig,
  drawnMetrics,
  fakeHandles,
  identifiersByDimension,
  isPublished,
} from "../support/handles";
import { blueprintWith, configFor, configFrom, Json, resources } from "../support/synth";

const THRESHOLDS = { cpuPercent: 85, memoryPercent: 80, http5xxRatePercent: 5, queueAgeSeconds: 600 };

function build(config: PlatformConfig, handles: PlatformHandles = fakeHandles(config)) {
  const naming = new Naming(config.name, config.environmentSuffix);
  const services = Object.entries(config.services).map(([name, svc]) => ({
    signals: serviceSignals(handles, handles.services[name], {
      mesh: config.mesh.enabled,
      logMetrics: {
        errors: metric("Platform/test", `${name}/ErrorLogLines`, {}, "Sum"),
        application: svc.metricPattern
          ? metric("Platform/test", `${name}/ApplicationPatternMatches`, {}, "Sum")
          : undefined,
      },
    }),
    minCount: svc.minCount,
    logGroupName: handles.services[name].logGroupName,
    recentErrorsQuery: "fields @timestamp, @message | limit 20",
  }));
  let construct!: ServiceDashboards;
  const stack = JSON.parse(
    Testing.synthScope((scope) => {
      construct = new ServiceDashboards(scope, "dashboards", {
        naming,
        region: config.region,
        environmentLabel: `${config.name} (${config.environmentSuffix})`,
        services,
        loadBalancer: handles.loadBalancer && loadBalancerSignals(handles.loadBalancer.arnSuffix),
        database: handles.databaseClusterIdentifier
          ? databaseSignals(handles.databaseClusterIdentifier)
          : undefined,
        thresholds: THRESHOLDS,
      });
    }),
  );
  const bodies: Record<string, Json> = {};
  for (const d of Object.values(resources(stack, "aws_cloudwatch_dashboard")))
    bodies[d.dashboard_name] = JSON.parse(d.dashboard_body);
  return { stack, bodies, handles, construct };
}

describe("ServiceDashboards", () => {
  const trading = configFor("trading");
  const all = allKindsConfig();
  const t = build(trading);
  const a = build(all);
  const both = [
    ["trading", t],
    ["all kinds", a],
  ] as const;

  test("creates the overview and one dashboard per service, named by the naming module", () => {
    expect(Object.keys(t.bodies).sort()).toEqual([
      "dashboard-trading-api-gateway-test",
      "dashboard-trading-frontend-test",
      "dashboard-trading-processing-service-test",
      "dashboard-trading-test",
    ]);
    expect(Object.keys(a.bodies)).toHaveLength(Object.keys(all.services).length + 1);
  });

  test.each(both)("%s: every metric is one AWS publishes with exactly those dimension names", (_, b) => {
    const wrong = Object.values(b.bodies)
      .flatMap(drawnMetrics)
      .filter((m) => !m.namespace.startsWith("Platform/"))
      .filter((m) => !isPublished(m.namespace, m.metricName, Object.keys(m.dimensions)))
      .map((m) => `${m.namespace} ${m.metricName} [${Object.keys(m.dimensions)}] in "${m.widget}"`);
    expect(wrong).toEqual([]);
  });

  test.each(both)("%s: every dimension value is an identifier the platform handed over", (_, b) => {
    const ids = identifiersByDimension(b.handles);
    const dangling = Object.values(b.bodies)
      .flatMap(drawnMetrics)
      .flatMap((m) => Object.entries(m.dimensions).filter(([k, v]) => !ids[k]?.has(v)))
      .map(([k, v]) => `${k}=${v}`);
    expect(dangling).toEqual([]);
  });

  test("a service's dashboard graphs only its own ECS service, target groups, queue and schedule", () => {
    for (const [name, h] of Object.entries(a.handles.services)) {
      const own = new Set(
        [
          h.ecsServiceName,
          h.taskDefinitionFamily,
          h.targetGroups?.blue.arnSuffix,
          h.targetGroups?.green?.arnSuffix,
          h.queue?.name,
          h.queue?.dlqName,
          h.schedule?.groupName,
          h.discoveryName,
        ].filter(Boolean),
      );
      const perService = ["ServiceName", "TaskDefinitionFamily", "TargetGroup", "QueueName", "ScheduleGroup"];
      const foreign = drawnMetrics(a.bodies[`dashboard-trading-${name}-test`])
        .flatMap((m) => Object.entries(m.dimensions))
        .filter(([k, v]) => (perService.includes(k) || k.endsWith("DiscoveryName")) && !own.has(v));
      expect(foreign).toEqual([]);
    }
  });

  test("each web service shows p50, p90 and p99 response time for its blue and green target groups", () => {
    for (const [name, h] of Object.entries(t.handles.services).filter(([, s]) => s.kind === "web")) {
      const latency = drawnMetrics(t.bodies[`dashboard-trading-${name}-test`]).filter(
        (m) => m.namespace === "AWS/ApplicationELB" && m.metricName === "TargetResponseTime",
      );
      for (const tg of [h.targetGroups!.blue, h.targetGroups!.green!]) {
        const stats = latency
          .filter((m) => m.dimensions.TargetGroup === tg.arnSuffix)
          .map((m) => m.options.stat);
        expect(stats.sort()).toEqual(["p50", "p90", "p99"]);
      }
    }
  });

  test("web dashboards graph requests, target and load balancer 4xx/5xx, and healthy/unhealthy hosts", () => {
    const names = new Set(drawnMetrics(t.bodies["dashboard-trading-frontend-test"]).map((m) => m.metricName));
    for (const m of [
      "RequestCount",
      "HTTPCode_Target_4XX_Count",
      "HTTPCode_Target_5XX_Count",
      "HTTPCode_ELB_4XX_Count",
      "HTTPCode_ELB_5XX_Count",
      "HealthyHostCount",
      "UnHealthyHostCount",
    ])
      expect(names).toContain(m);
  });

  test("the 5xx error rate is metric math over both target groups' hidden 5xx and request counts", () => {
    const widget = t.bodies["dashboard-trading-frontend-test"].widgets.find(
      (w: Json) => w.properties.title === "5xx error rate %",
    );
    const rows = widget.properties.metrics as unknown[][];
    const expression = rows.find((r) => typeof r[0] === "object")![0] as Json;
    expect(expression.expression).toBe(
      "100 * (FILL(s0_e_blue, 0) + FILL(s0_e_green, 0)) / (FILL(s0_r_blue, 0) + FILL(s0_r_green, 0))",
    );
    const inputs = drawnMetrics({ widgets: [widget] });
    expect(inputs.map((m) => [m.options.id, m.metricName, m.options.visible])).toEqual([
      ["s0_e_blue", "HTTPCode_Target_5XX_Count", false],
      ["s0_e_green", "HTTPCode_Target_5XX_Count", false],
      ["s0_r_blue", "RequestCount", false],
      ["s0_r_green", "RequestCount", false],
    ]);
  });

  test("worker dashboards graph queue depth, oldest message age and dead-letter depth", () => {
    const h = a.handles.services["settlement-worker"];
    const sqs = drawnMetrics(a.bodies["dashboard-trading-settlement-worker-test"]).filter(
      (m) => m.namespace === "AWS/SQS",
    );
    expect(sqs.map((m) => [m.metricName, m.dimensions.QueueName])).toEqual(
      expect.arrayContaining([
        ["ApproximateNumberOfMessagesVisible", h.queue!.name],
        ["ApproximateAgeOfOldestMessage", h.queue!.name],
        ["ApproximateNumberOfMessagesVisible", h.queue!.dlqName],
      ]),
    );
  });

  test("scheduled dashboards graph the schedule group's invocations and failures, and task-family CPU", () => {
    const h = a.handles.services["eod-report"];
    const drawn = drawnMetrics(a.bodies["dashboard-trading-eod-report-test"]);
    const scheduler = drawn.filter((m) => m.namespace === "AWS/Scheduler");
    expect(new Set(scheduler.map((m) => m.dimensions.ScheduleGroup))).toEqual(
      new Set([h.schedule!.groupName]),
    );
    expect(scheduler.map((m) => m.metricName)).toEqual(
      expect.arrayContaining(["InvocationAttemptCount", "TargetErrorCount", "InvocationDroppedCount"]),
    );
    expect(drawn.filter((m) => m.namespace === "AWS/ECS")).toEqual([]);
    expect(drawn.find((m) => m.metricName === "CpuUtilized")?.dimensions.TaskDefinitionFamily).toBe(
      h.taskDefinitionFamily,
    );
  });

  test("Service Connect widgets appear only when the mesh is on, for services that accept connections", () => {
    const mesh = (b: typeof t, name: string) =>
      drawnMetrics(b.bodies[`dashboard-trading-${name}-test`]).filter(
        (m) => m.namespace === "AWS/ECS" && m.metricName === "RequestCount",
      );
    expect(mesh(t, "processing-service")).toEqual([]);
    expect(mesh(a, "processing-service")[0].dimensions).toEqual({
      ClusterName: a.handles.clusterName,
      ServiceName: a.handles.services["processing-service"].ecsServiceName,
      DiscoveryName: "processing-service",
    });
    expect(mesh(a, "settlement-worker")).toEqual([]);
  });

  test("the overview has the database's CPU, connections and free memory when there is a database", () => {
    const rds = (b: typeof t) =>
      drawnMetrics(b.bodies["dashboard-trading-test"])
        .filter((m) => m.namespace === "AWS/RDS")
        .map((m) => m.metricName);
    expect(rds(t)).toEqual([]);
    expect(rds(a).sort()).toEqual(["CPUUtilization", "DatabaseConnections", "FreeableMemory"]);
  });

  test("the overview has a row per service with its CPU and its kind's headline graph", () => {
    const titles = t.bodies["dashboard-trading-test"].widgets.map((w: Json) => w.properties.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        "frontend: CPU and memory %",
        "frontend: 5xx error rate %",
        "processing-service: network (bytes/s)",
      ]),
    );
    const allTitles = a.bodies["dashboard-trading-test"].widgets.map((w: Json) => w.properties.title);
    expect(allTitles).toEqual(
      expect.arrayContaining([
        "settlement-worker: oldest message age (s)",
        "eod-report: runs",
        "processing-service: mesh requests",
      ]),
    );
  });

  test("a catalog without web services has no load balancer graphs", () => {
    const internal = configFrom(
      blueprintWith("trading", (bp) => {
        delete bp.services.frontend;
        delete bp.services["api-gateway"];
      }),
    );
    const b = build(internal);
    expect(b.handles.loadBalancer).toBeUndefined();
    const albMetrics = Object.values(b.bodies)
      .flatMap(drawnMetrics)
      .filter((m) => m.namespace === "AWS/ApplicationELB");
    expect(albMetrics).toEqual([]);
  });

  test("graphs draw the alarm thresholds and the minimum task count", () => {
    const widgets = t.bodies["dashboard-trading-frontend-test"].widgets as Json[];
    const lines = (title: string) =>
      widgets.find((w) => w.properties.title === title)!.properties.annotations.horizontal;
    expect(lines("CPU and memory %")).toEqual([
      { label: "CPU alarm", value: 85 },
      { label: "memory alarm", value: 80 },
    ]);
    expect(lines("Running vs desired tasks")).toEqual([{ label: "minimum", value: 2 }]);
  });

  test("the log metrics and a recent-errors query on the service's log group are on its dashboard", () => {
    const widgets = a.bodies["dashboard-trading-processing-service-test"].widgets as Json[];
    const log = widgets.find((w) => w.type === "log")!;
    expect(log.properties.query).toBe(
      `SOURCE '${a.handles.services["processing-service"].logGroupName}' | fields @timestamp, @message | limit 20`,
    );
    const custom = drawnMetrics({ widgets }).filter((m) => m.namespace === "Platform/test");
    expect(custom.map((m) => m.metricName)).toEqual([
      "processing-service/ErrorLogLines",
      "processing-service/ApplicationPatternMatches",
    ]);
  });

  test("every graph names the dashboard's region", () => {
    const regions = Object.values(t.bodies).flatMap((b) =>
      (b.widgets as Json[]).filter((w) => w.type !== "text").map((w) => w.properties.region),
    );
    expect(new Set(regions)).toEqual(new Set(["us-east-1"]));
  });

  test("widgets fit the 24-column grid without overlapping", () => {
    for (const body of Object.values(a.bodies)) {
      const cells = new Set<string>();
      for (const w of body.widgets as Json[]) {
        expect(w.x + w.width).toBeLessThanOrEqual(24);
        for (let x = w.x; x < w.x + w.width; x++)
          for (let y = w.y; y < w.y + w.height; y++) {
            expect(cells.has(`${x},${y}`)).toBe(false);
            cells.add(`${x},${y}`);
          }
      }
    }
  });

  test("URLs link each dashboard in the CloudWatch console of the blueprint's region", () => {
    expect(t.construct.urls.overview).toBe(
      "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/dashboard-trading-test",
    );
    expect(t.construct.urls.frontend).toContain("#dashboards/dashboard/dashboard-trading-frontend-test");
  });

  test("GovCloud and China regions link their partition's console domain", () => {
    expect(dashboardUrl("us-gov-west-1", "d")).toMatch(/^https:\/\/console\.amazonaws-us-gov\.com\//);
    expect(dashboardUrl("cn-north-1", "d")).toMatch(/^https:\/\/console\.amazonaws\.cn\//);
  });

  test("a service named like the blueprint gets its own dashboard, not the overview's name", () => {
    const config = { ...trading, services: { trading: trading.services["processing-service"] } };
    const handles = fakeHandles(trading);
    const named = {
      ...handles,
      services: { trading: { ...handles.services["processing-service"], name: "trading" } },
    };
    expect(Object.keys(build(config, named).bodies).sort()).toEqual([
      "dashboard-trading-test",
      "dashboard-trading-trading-test",
    ]);
  });
});

describe("metric math rendering", () => {
  test("two expressions in one widget get distinct input ids", () => {
    const m = metric("AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: "q" }, "Maximum");
    const rows = metricsArray([math("a", "x + 1", { x: m }), math("b", "x * 2", { x: m })]);
    expect(rows.map((r) => (r[0] as Json).expression ?? (r[r.length - 1] as Json).id)).toEqual([
      "s0_x",
      "s0_x + 1",
      "s1_x",
      "s1_x * 2",
    ]);
  });

  test("fails when a dashboard would hold more widgets than CloudWatch accepts (500)", () => {
    const text = { type: "text", markdown: "x" } as const;
    expect(() => renderDashboard(Array(MAX_WIDGETS).fill(text), "eu-west-1")).not.toThrow();
    expect(() => renderDashboard(Array(MAX_WIDGETS + 1).fill(text), "eu-west-1")).toThrow(
      /501 widgets exceed CloudWatch's 500 per dashboard/,
    );
  });

  test("a body holding tokens is written as exactly the text one JSON string would give", () => {
    const widgets = (arn: string) =>
      [
        { type: "text", markdown: "# {braces} and $ signs" },
        { type: "alarms", title: "Alarms", alarmArns: [arn, "arn:aws:cloudwatch:eu-west-1:1:alarm:x"] },
        { type: "graph", title: "g", series: [] },
      ] as const;
    const written = JSON.parse(
      Testing.synthScope((scope) => {
        const topic = new SnsTopic(scope, "topic", { name: "t" });
        new CloudwatchDashboard(scope, "dashboard", {
          dashboardName: "d",
          dashboardBody: renderDashboard(widgets(topic.arn), "eu-west-1"),
        });
      }),
    ).resource.aws_cloudwatch_dashboard.dashboard.dashboard_body;
    // The same widgets with the reference as plain text: no token, one JSON.stringify.
    expect(written).toBe(renderDashboard(widgets("${aws_sns_topic.topic.arn}"), "eu-west-1"));
    expect(JSON.parse(written).widgets[1].properties.alarms[0]).toBe("${aws_sns_topic.topic.arn}");
  });

  test("a text widget starts a new row", () => {
    const g = { type: "graph", title: "g", series: [] } as const;
    const body = JSON.parse(renderDashboard([g, { type: "text", markdown: "# t" }, g], "eu-west-1"));
    expect(body.widgets.map((w: Json) => [w.x, w.y])).toEqual([
      [0, 0],
      [0, 6],
      [0, 7],
    ]);
  });
});

describe("serviceSignals", () => {
  const config = allKindsConfig();
  const handles = fakeHandles(config);
  const logMetrics = { errors: metric("Platform/test", "x/ErrorLogLines", {}, "Sum") };
  const without = (name: string, field: string) => ({
    ...handles.services[name],
    [field]: undefined,
  });

  test.each([
    ["frontend", "ecsServiceName"],
    ["frontend", "targetGroups"],
    ["settlement-worker", "queue"],
    ["eod-report", "schedule"],
    ["processing-service", "discoveryName"],
  ])("fails when the %s handle has no %s", (name, field) => {
    expect(() => serviceSignals(handles, without(name, field), { mesh: true, logMetrics })).toThrow(
      new RegExp(`handles\\.services\\.${name}\\.${field} is required for a \\w+ service`),
    );
  });

  test("fails when a web service's platform has no load balancer", () => {
    const noAlb = { ...handles, loadBalancer: undefined };
    expect(() => serviceSignals(noAlb, handles.services.frontend, { mesh: true, logMetrics })).toThrow(
      /handles\.loadBalancer is required: frontend is a web service/,
    );
  });

  test("a scheduled job's CPU is the percentage of its task family's reserved CPU", () => {
    const s = serviceSignals(handles, handles.services["eod-report"], { mesh: true, logMetrics });
    expect(s.cpu).toMatchObject({ kind: "math", expression: "100 * used / reserved" });
    expect(s.tasks).toBeUndefined();
    expect(s.serviceConnect).toBeUndefined();
  });
});
