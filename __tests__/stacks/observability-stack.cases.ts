import "cdktf/lib/testing/adapters/jest";
import { App, Testing } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { PlatformConfig } from "../../config";
import type { PlatformHandles, ServiceHandle } from "../../modules/contracts";
import { Naming } from "../../modules/naming";
import { buildPlatformApp } from "../../stacks/app";
import { BaseStack } from "../../stacks/base";
import { ObservabilityStack } from "../../stacks/observability-stack";
import { allKindsConfig, drawnMetrics, fakeHandles, isPublished } from "../support/handles";
import { blueprintWith, configFor, configFrom, dataSources, Json, resources } from "../support/synth";

/**
 * A stand-in for the platform stack: real resources for the identifiers the observability stack
 * reads (cluster, ALB, target groups, ECS services, log groups), so its handles are tokens and
 * cdktf wires them across stacks as it will with the real platform.
 */
class TokenPlatform extends BaseStack {
  readonly handles: PlatformHandles;

  constructor(scope: App, config: PlatformConfig, naming: Naming) {
    super(scope, "platform", { config, naming });
    const fake = fakeHandles(config);
    const cluster = new EcsCluster(this, "cluster", { name: fake.clusterName });
    const alb = new Lb(this, "alb", { name: naming.name("loadBalancer") });
    const services: Record<string, ServiceHandle> = {};
    for (const [name, h] of Object.entries(fake.services)) {
      const tg = (color: "blue" | "green") => {
        const t = new LbTargetGroup(this, `${name}-${color}`, { name: h.targetGroups![color]!.name });
        return { name: t.name, arn: t.arn, arnSuffix: t.arnSuffix };
      };
      services[name] = {
        ...h,
        ecsServiceName:
          h.ecsServiceName && new EcsService(this, `${name}-service`, { name: h.ecsServiceName }).name,
        logGroupName: new CloudwatchLogGroup(this, `${name}-logs`, { name: h.logGroupName }).name,
        targetGroups: h.targetGroups && { blue: tg("blue"), green: tg("green") },
      };
    }
    this.handles = {
      ...fake,
      clusterName: cluster.name,
      loadBalancer: { ...fake.loadBalancer!, arnSuffix: alb.arnSuffix },
      services,
    };
  }
}

function synthWithTokens(config: PlatformConfig) {
  const app = Testing.app() as App;
  const naming = new Naming(config.name, config.environmentSuffix);
  const platform = new TokenPlatform(app, config, naming);
  const observability = new ObservabilityStack(app, { config, naming, platform });
  // What `app.synth()` does first: the preparing resolve creates the cross-stack outputs and
  // remote-state lookups (Testing.synth alone leaves raw references).
  for (const stack of [platform, observability]) stack.prepareStack();
  return {
    platform: JSON.parse(Testing.synth(platform)) as Json,
    observability: JSON.parse(Testing.synth(observability, true)) as Json,
  };
}

function synthWithLiterals(config: PlatformConfig, handles: PlatformHandles = fakeHandles(config)) {
  const app = Testing.app() as App;
  const naming = new Naming(config.name, config.environmentSuffix);
  const stack = new ObservabilityStack(app, { config, naming, platform: { handles } });
  return { stack, json: JSON.parse(Testing.synth(stack, true)) as Json };
}

/** Which platform resource attribute a `${data.terraform_remote_state...outputs.X}` value reads. */
function platformSource(value: string, platform: Json, observability: Json): string {
  const m = value.match(/^\$\{data\.terraform_remote_state\.([^.]+)\.outputs\.([^}]+)\}$/);
  if (!m) return `not a remote-state reference: ${value}`;
  const remote = dataSources(observability, "terraform_remote_state")[m[1]];
  if (remote.config.key !== "trading/test/platform.tfstate") return `remote state of ${remote.config.key}`;
  return platform.output[m[2]].value;
}

describe("ObservabilityStack wired to the platform's tokens", () => {
  const config = configFor("trading");
  const { platform, observability } = synthWithTokens(config);
  const source = (value: string) => platformSource(value, platform, observability);
  const bodies = Object.values(resources(observability, "aws_cloudwatch_dashboard")).map((d) =>
    JSON.parse(d.dashboard_body),
  );
  const drawn = bodies.flatMap(drawnMetrics);

  test("depends on the platform stack only, through its S3 state", () => {
    const remotes = Object.values(dataSources(observability, "terraform_remote_state"));
    expect(remotes.map((r) => [r.backend, r.config.key])).toEqual([["s3", "trading/test/platform.tfstate"]]);
  });

  test("dashboard ClusterName and ServiceName values read the platform's cluster and ECS services", () => {
    const clusters = new Set(
      drawn.filter((m) => m.dimensions.ClusterName).map((m) => source(m.dimensions.ClusterName)),
    );
    expect(clusters).toEqual(new Set(["${aws_ecs_cluster.cluster.name}"]));
    const frontend = drawn.find((m) => m.metricName === "CPUUtilization" && m.widget === "CPU and memory %")!;
    expect(source(frontend.dimensions.ServiceName)).toMatch(/^\$\{aws_ecs_service\.[\w-]+-service\.name\}$/);
  });

  test("dashboard LoadBalancer and TargetGroup values read the ALB's and target groups' ARN suffixes", () => {
    const alb = drawn.filter((m) => m.namespace === "AWS/ApplicationELB");
    expect(new Set(alb.map((m) => source(m.dimensions.LoadBalancer)))).toEqual(
      new Set(["${aws_lb.alb.arn_suffix}"]),
    );
    const tgs = new Set(
      alb.filter((m) => m.dimensions.TargetGroup).map((m) => source(m.dimensions.TargetGroup)),
    );
    expect(tgs).toEqual(
      new Set(
        ["frontend", "api-gateway"].flatMap((s) => [
          `\${aws_lb_target_group.${s}-blue.arn_suffix}`,
          `\${aws_lb_target_group.${s}-green.arn_suffix}`,
        ]),
      ),
    );
  });

  test("alarm dimensions read the platform's resources", () => {
    const cpu = Object.values(resources(observability, "aws_cloudwatch_metric_alarm")).find(
      (a) => a.alarm_name === "alarm-trading-api-gateway-cpu-at-max-test",
    )!;
    for (const q of (cpu.metric_query as Json[]).filter((x) => x.metric)) {
      expect(source(q.metric.dimensions.ClusterName)).toBe("${aws_ecs_cluster.cluster.name}");
      expect(source(q.metric.dimensions.ServiceName)).toBe("${aws_ecs_service.api-gateway-service.name}");
    }
  });

  test("log metric filters and saved queries attach to the platform's log groups", () => {
    const filters = Object.values(resources(observability, "aws_cloudwatch_log_metric_filter"));
    // Error lines are counted by the platform's filter; here only the request-log filters of
    // the one service whose traffic no AWS metric sees.
    expect(new Set(filters.map((f) => source(f.log_group_name)))).toEqual(
      new Set(["${aws_cloudwatch_log_group.processing-service-logs.name}"]),
    );
  });
});

describe("ObservabilityStack", () => {
  const trading = configFor("trading");
  const { json } = synthWithLiterals(trading);

  test("builds dashboards, alarms, tracing and log metrics for every service of the trading blueprint", () => {
    const count = (type: string) => Object.keys(resources(json, type)).length;
    expect(count("aws_cloudwatch_dashboard")).toBe(4);
    expect(count("aws_cloudwatch_composite_alarm")).toBe(3);
    // One group and one rule per environment (no service of trading samples differently).
    expect(count("aws_xray_group")).toBe(1);
    expect(count("aws_xray_sampling_rule")).toBe(1);
    // Duration and 4 status classes of the one backend (called, no mesh); error lines: platform.
    expect(count("aws_cloudwatch_log_metric_filter")).toBe(5);
    expect(count("aws_cloudwatch_query_definition")).toBe(6);
  });

  test("custom log metrics live in the platform's metric namespace and are alarmed on", () => {
    const filter = Object.values(resources(json, "aws_cloudwatch_log_metric_filter"))[0];
    expect(filter.metric_transformation.namespace).toBe("Platform/trading-test");
    const alarmed = Object.values(resources(json, "aws_cloudwatch_metric_alarm")).filter(
      (a) => a.namespace === "Platform/trading-test",
    );
    expect(alarmed.map((a) => a.metric_name).sort()).toEqual([
      "api-gateway/ErrorLogLines",
      "frontend/ErrorLogLines",
      "processing-service/ErrorLogLines",
    ]);
  });

  test("outputs the dashboard URLs and the alarm topic", () => {
    expect(json.output.dashboard_urls.value).toMatchObject({
      overview:
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/dashboard-trading-test",
      frontend: expect.stringContaining("dashboard-trading-frontend-test"),
    });
    expect(json.output.alarm_topic_arn.value).toMatch(/^\$\{aws_sns_topic\.[\w-]+\.arn\}$/);
  });

  test("each service dashboard shows the state of that service's alarms, the overview every service's health", () => {
    const alarmIds = (prefix: string) =>
      Object.entries(resources(json, "aws_cloudwatch_metric_alarm"))
        .filter(([, a]) => a.alarm_name.startsWith(prefix))
        .map(([id]) => `\${aws_cloudwatch_metric_alarm.${id}.arn}`);
    const composites = Object.entries(resources(json, "aws_cloudwatch_composite_alarm"));
    const dashboards = Object.values(resources(json, "aws_cloudwatch_dashboard"));
    const alarmWidget = (name: string) =>
      JSON.parse(dashboards.find((d) => d.dashboard_name === name)!.dashboard_body).widgets.find(
        (w: Json) => w.type === "alarm",
      );
    const frontendHealth = composites.find(
      ([, c]) => c.alarm_name === "alarm-trading-frontend-health-test",
    )![0];
    expect(alarmWidget("dashboard-trading-frontend-test").properties.alarms.sort()).toEqual(
      [
        ...alarmIds("alarm-trading-frontend-"),
        `\${aws_cloudwatch_composite_alarm.${frontendHealth}.arn}`,
      ].sort(),
    );
    expect(alarmWidget("dashboard-trading-test").properties.alarms.sort()).toEqual(
      composites.map(([id]) => `\${aws_cloudwatch_composite_alarm.${id}.arn}`).sort(),
    );
  });

  test("alarm descriptions link the dashboards the stack outputs", () => {
    const cpu = Object.values(resources(json, "aws_cloudwatch_metric_alarm")).find(
      (a) => a.alarm_name === "alarm-trading-frontend-cpu-at-max-test",
    )!;
    expect(cpu.alarm_description).toContain(`Dashboard: ${json.output.dashboard_urls.value.frontend}`);
  });

  test("the blueprint's sampling applies unless a service sets its own", () => {
    const tuned = configFrom(
      blueprintWith("trading", (bp) => {
        bp.tracing = { samplingRate: 0.1, reservoir: 2 };
        bp.services["api-gateway"].tracing = { samplingRate: 1, reservoir: 50 };
      }),
    );
    const rules = Object.values(resources(synthWithLiterals(tuned).json, "aws_xray_sampling_rule"));
    const of = (service: string) => rules.find((r) => r.service_name === service);
    const suffix = tuned.environmentSuffix;
    expect(of(`api-gateway.trading@${suffix}`)).toMatchObject({ fixed_rate: 1, reservoir_size: 50 });
    expect(of(`*.trading@${suffix}`)).toMatchObject({ fixed_rate: 0.1, reservoir_size: 2 });
    expect(rules).toHaveLength(2);
  });

  test("with alarms off there are dashboards but no alarm, topic or key", () => {
    const quiet = configFrom(blueprintWith("trading", (bp) => void (bp.observability = { alarms: false })));
    const { json: q } = synthWithLiterals(quiet);
    expect(resources(q, "aws_cloudwatch_metric_alarm")).toEqual({});
    expect(resources(q, "aws_sns_topic")).toEqual({});
    expect(resources(q, "aws_kms_key")).toEqual({});
    const bodies = Object.values(resources(q, "aws_cloudwatch_dashboard")).map((d) =>
      JSON.parse(d.dashboard_body),
    );
    expect(bodies).toHaveLength(4);
    expect(bodies.flatMap((b) => b.widgets).filter((w: Json) => w.type === "alarm")).toEqual([]);
    expect(q.output.alarm_topic_arn).toBeUndefined();
  });

  test("synthesizes every kind, the mesh and the database with validations on", () => {
    const { json: all } = synthWithLiterals(allKindsConfig());
    expect(Object.keys(resources(all, "aws_cloudwatch_dashboard"))).toHaveLength(6);
    expect(Object.values(resources(all, "aws_cloudwatch_metric_alarm")).map((a) => a.alarm_name)).toEqual(
      expect.arrayContaining([
        "alarm-trading-database-cpu-test",
        "alarm-trading-eod-report-failed-runs-test",
      ]),
    );
  });

  test("a catalog without web services (no ALB) synthesizes without load balancer graphs or alarms", () => {
    const internal = configFrom(
      blueprintWith("trading", (bp) => {
        delete bp.services.frontend;
        delete bp.services["api-gateway"];
      }),
    );
    const { json: j } = synthWithLiterals(internal);
    const bodies = Object.values(resources(j, "aws_cloudwatch_dashboard")).map((d) => d.dashboard_body);
    expect(bodies).toHaveLength(2);
    expect(bodies.join()).not.toContain("AWS/ApplicationELB");
    expect(JSON.stringify(resources(j, "aws_cloudwatch_metric_alarm"))).not.toContain("AWS/ApplicationELB");
  });

  test("fails when the request duration field is not a Logs Insights field name", () => {
    const bad = blueprintWith(
      "trading",
      (bp) => void (bp.observability = { requestDurationField: "duration ms" }),
    );
    expect(() => configFrom(bad)).toThrow(
      /observability\.requestDurationField: .*must be a Logs Insights field name/,
    );
  });

  test("fails when a service's sampling rate is not a fraction", () => {
    const bad = blueprintWith("trading", (bp) => void (bp.services.frontend.tracing = { samplingRate: 5 }));
    expect(() => configFrom(bad)).toThrow(/services\.frontend\.tracing\.samplingRate/);
  });

  test("fails when the platform hands over no handle for a configured service", () => {
    const handles = fakeHandles(trading);
    const { frontend: _, ...rest } = handles.services;
    expect(() => synthWithLiterals(trading, { ...handles, services: rest })).toThrow(
      /the platform hands over no service frontend \(it has: api-gateway, processing-service\)/,
    );
  });

  test("fails when the blueprint has a database but the platform hands over no cluster identifier", () => {
    const all = allKindsConfig();
    expect(() =>
      synthWithLiterals(all, { ...fakeHandles(all), databaseClusterIdentifier: undefined }),
    ).toThrow(/handles\.databaseClusterIdentifier is missing/);
  });
});

describe("ObservabilityStack in the trading app, wired to the real platform stack", () => {
  const config = configFor("trading");
  const app = Testing.app() as App;
  const built = buildPlatformApp(app, config);
  // What `cdktf synth` does before writing any stack: cross-stack outputs and remote states.
  for (const stack of Object.values(built)) stack.prepareStack();
  const platform = JSON.parse(Testing.synth(built.platform)) as Json;
  const observability = JSON.parse(Testing.synth(built.observability, true)) as Json;
  const source = (value: string) => platformSource(value, platform, observability);
  /** The platform resource a remote-state value comes from: `[type, resource config]`. */
  const resourceOf = (value: string): [string, Json] => {
    const ref = source(value).match(/^\$\{([a-z0-9_]+)\.([^.]+)\.[a-z_]+\}$/);
    if (!ref) throw new Error(`${value} does not come from a platform resource (${source(value)})`);
    return [ref[1], platform.resource[ref[1]][ref[2]]];
  };
  const body = (name: string) =>
    JSON.parse(
      Object.values(resources(observability, "aws_cloudwatch_dashboard")).find(
        (d) => d.dashboard_name === name,
      )!.dashboard_body,
    );

  test("depends on the platform stack only, so `cdktf deploy network platform` stays accepted", () => {
    expect(built.observability.dependencies.map((d) => d.node.id)).toEqual(["platform"]);
    expect(built.platform.dependencies.map((d) => d.node.id)).not.toContain("observability");
    const remotes = Object.values(dataSources(observability, "terraform_remote_state"));
    expect(remotes.map((r) => r.config.key)).toEqual(["trading/test/platform.tfstate"]);
  });

  test("each service dashboard's ServiceName is the platform's ECS service of that service", () => {
    for (const name of Object.keys(config.services)) {
      const cpu = drawnMetrics(body(`dashboard-trading-${name}-test`)).find(
        (m) => m.metricName === "CPUUtilization",
      )!;
      expect(resourceOf(cpu.dimensions.ServiceName)).toEqual([
        "aws_ecs_service",
        expect.objectContaining({ name: `ecs-svc-${name}-test` }),
      ]);
      expect(resourceOf(cpu.dimensions.ClusterName)).toEqual([
        "aws_ecs_cluster",
        expect.objectContaining({ name: "ecs-cluster-trading-test" }),
      ]);
    }
  });

  test("web dashboards' TargetGroup and LoadBalancer values are the platform's target groups and ALB", () => {
    for (const name of ["frontend", "api-gateway"]) {
      const alb = drawnMetrics(body(`dashboard-trading-${name}-test`)).filter(
        (m) => m.dimensions.TargetGroup,
      );
      const groups = [...new Set(alb.map((m) => resourceOf(m.dimensions.TargetGroup)[1].name as string))];
      expect(groups.sort()).toEqual([
        expect.stringMatching(new RegExp(`^tg-trading-blue-[a-z0-9-]*[0-9a-f]{4,6}-test$`)),
        expect.stringMatching(new RegExp(`^tg-trading-green-[a-z0-9-]*[0-9a-f]{4,6}-test$`)),
      ]);
      const lbs = new Set(
        alb.map((m) => resourceOf(m.dimensions.LoadBalancer)).map(([t, r]) => `${t} ${r.name}`),
      );
      expect(lbs).toEqual(new Set(["aws_lb alb-trading-test"]));
    }
  });

  test("log metric filters sit on each service's own platform log group", () => {
    const filters = Object.values(resources(observability, "aws_cloudwatch_log_metric_filter"));
    for (const f of filters) {
      const service = f.metric_transformation.name.split("/")[0];
      expect(resourceOf(f.log_group_name)).toEqual([
        "aws_cloudwatch_log_group",
        expect.objectContaining({ name: expect.stringContaining(service) }),
      ]);
    }
  });

  test("no composite alarm reads another stack's alarm: a platform apply can delete its alarms", () => {
    const composites = Object.values(resources(observability, "aws_cloudwatch_composite_alarm"));
    expect(composites.length).toBeGreaterThan(0);
    for (const c of composites) {
      const members = [...c.alarm_rule.matchAll(/ALARM\("([^"]+)"\)/g)].map((m) => m[1]);
      expect(members.length).toBeGreaterThan(0);
      for (const m of members) expect(m).toMatch(/^\$\{aws_cloudwatch_metric_alarm\.[\w-]+\.alarm_name\}$/);
    }
  });
});

describe("ObservabilityStack with every kind, the mesh and the database, wired to the real platform", () => {
  const app = Testing.app() as App;
  const built = buildPlatformApp(app, allKindsConfig());
  for (const stack of Object.values(built)) stack.prepareStack();
  const platform = JSON.parse(Testing.synth(built.platform)) as Json;
  const observability = JSON.parse(Testing.synth(built.observability, true)) as Json;
  const drawn = Object.values(resources(observability, "aws_cloudwatch_dashboard")).flatMap((d) =>
    drawnMetrics(JSON.parse(d.dashboard_body)),
  );
  /** The platform resource type each dimension's value must come from. */
  const SOURCE_TYPE: Record<string, string> = {
    ClusterName: "aws_ecs_cluster",
    ServiceName: "aws_ecs_service",
    TaskDefinitionFamily: "aws_ecs_task_definition",
    TargetGroup: "aws_lb_target_group",
    LoadBalancer: "aws_lb",
    QueueName: "aws_sqs_queue",
    ScheduleGroup: "aws_scheduler_schedule_group",
    DBClusterIdentifier: "aws_rds_cluster",
  };

  test("every graphed metric is one AWS publishes with exactly those dimension names", () => {
    const wrong = drawn
      .filter((m) => !m.namespace.startsWith("Platform/"))
      .filter((m) => !isPublished(m.namespace, m.metricName, Object.keys(m.dimensions)))
      .map((m) => `${m.namespace} ${m.metricName} [${Object.keys(m.dimensions)}]`);
    expect(wrong).toEqual([]);
  });

  test("every alarm watches a metric AWS publishes with exactly those dimension names", () => {
    const watched = Object.values(resources(observability, "aws_cloudwatch_metric_alarm")).flatMap((a) =>
      a.metric_name
        ? [{ namespace: a.namespace, metric_name: a.metric_name, dimensions: a.dimensions ?? {} }]
        : (a.metric_query as Json[]).filter((q) => q.metric).map((q) => q.metric),
    );
    expect(watched.length).toBeGreaterThan(25);
    const wrong = watched
      .filter((m) => !m.namespace.startsWith("Platform/"))
      .filter((m) => !isPublished(m.namespace, m.metric_name, Object.keys(m.dimensions)))
      .map((m) => `${m.namespace} ${m.metric_name} [${Object.keys(m.dimensions)}]`);
    expect(wrong).toEqual([]);
  });

  test("every dimension value reads the platform resource that AWS names it after", () => {
    const wrong = drawn.flatMap((m) =>
      Object.entries(m.dimensions)
        .filter(([k]) => k in SOURCE_TYPE)
        .map(([k, v]) => [k, platformSource(v, platform, observability)])
        .filter(([k, src]) => !src.startsWith(`\${${SOURCE_TYPE[k]}.`))
        .map(([k, src]) => `${k}: ${src}`),
    );
    expect(wrong).toEqual([]);
  });
});
