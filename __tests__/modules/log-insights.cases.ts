import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { insightsFilterFor, LogServiceInput, ServiceLogInsights } from "../../modules/log-insights";
import { Naming } from "../../modules/naming";
import { Json, resources } from "../support/synth";

const SERVICES: LogServiceInput[] = [
  { name: "frontend", logGroupName: "/ecs/frontend-test" },
  {
    name: "processing-service",
    logGroupName: "/ecs/processing-service-test",
    metricPattern: '{ $.event = "x" }',
    requestMetrics: true,
  },
];

describe("ServiceLogInsights", () => {
  let construct!: ServiceLogInsights;
  const stack = JSON.parse(
    Testing.synthScope((scope) => {
      construct = new ServiceLogInsights(scope, "logs", {
        naming: new Naming("trading", "test"),
        metricNamespace: "Platform/trading-test",
        errorLogPattern: "?ERROR ?Exception",
        requestDurationField: "latency_ms",
        services: SERVICES,
      });
    }),
  );
  const filters: Json[] = Object.values(resources(stack, "aws_cloudwatch_log_metric_filter"));
  const queries: Json[] = Object.values(resources(stack, "aws_cloudwatch_query_definition"));

  test("publishes no error-line filter: the platform's, next to the rollback alarm, does (no double count)", () => {
    expect(filters.filter((f) => f.metric_transformation.name.endsWith("/ErrorLogLines"))).toEqual([]);
    expect(construct.metrics.frontend.errors).toEqual(
      expect.objectContaining({ namespace: "Platform/trading-test", metricName: "frontend/ErrorLogLines" }),
    );
  });

  test("a service whose traffic no AWS metric sees gets its duration and status classes from its JSON logs", () => {
    const own = filters.filter((f) => f.log_group_name === "/ecs/processing-service-test");
    const duration = own.find((f) => f.metric_transformation.name === "processing-service/RequestDuration")!;
    expect(duration.pattern).toBe("{ $.latency_ms = * }");
    // The duration itself, and no 0 for quiet minutes (it would drag every percentile down).
    expect(duration.metric_transformation).toEqual(
      expect.objectContaining({ value: "$.latency_ms", unit: "Milliseconds" }),
    );
    expect(duration.metric_transformation.default_value).toBeUndefined();
    const status = own.filter((f) => f.metric_transformation.name.startsWith("processing-service/Responses"));
    expect(status.map((f) => [f.metric_transformation.name, f.pattern])).toEqual([
      ["processing-service/Responses2XX", "{ $.status >= 200 && $.status < 300 }"],
      ["processing-service/Responses3XX", "{ $.status >= 300 && $.status < 400 }"],
      ["processing-service/Responses4XX", "{ $.status >= 400 && $.status < 500 }"],
      ["processing-service/Responses5XX", "{ $.status >= 500 && $.status < 600 }"],
    ]);
    expect(construct.metrics["processing-service"].requests?.statusClasses).toHaveLength(4);
    expect(construct.metrics.frontend.requests).toBeUndefined();
    expect(filters.filter((f) => f.log_group_name === "/ecs/frontend-test")).toHaveLength(0);
  });

  test("the application metric filter exists only for services with a metric pattern", () => {
    const app = filters.filter((f) => f.metric_transformation.name.endsWith("/ApplicationPatternMatches"));
    expect(app.map((f) => [f.log_group_name, f.pattern])).toEqual([
      ["/ecs/processing-service-test", '{ $.event = "x" }'],
    ]);
    expect(construct.metrics.frontend.application).toBeUndefined();
  });

  test("the metrics handed to alarms and dashboards are the ones the filters publish (errors: the platform's filter)", () => {
    const published = filters.map(
      (f) => `${f.metric_transformation.namespace} ${f.metric_transformation.name}`,
    );
    const handed = Object.values(construct.metrics).flatMap((m) =>
      [m.application, m.requests?.duration, ...(m.requests?.statusClasses ?? [])]
        .filter((x) => x !== undefined)
        .map((x) => `${x!.namespace} ${x!.metricName}`),
    );
    expect(handed.sort()).toEqual(published.sort());
  });

  test("each service has saved recent-errors and slowest-requests queries on its own log group", () => {
    expect(queries.map((q) => [q.name, q.log_group_names])).toEqual([
      ["query-trading-frontend-recent-errors-test", ["/ecs/frontend-test"]],
      ["query-trading-frontend-slowest-requests-test", ["/ecs/frontend-test"]],
      ["query-trading-processing-service-recent-errors-test", ["/ecs/processing-service-test"]],
      ["query-trading-processing-service-slowest-requests-test", ["/ecs/processing-service-test"]],
    ]);
  });

  test("the recent-errors query finds the lines the error filter counts; slowest requests sorts on the duration field", () => {
    expect(queries[0].query_string).toBe(
      "fields @timestamp, @logStream, @message | filter @message like /ERROR|Exception/ | sort @timestamp desc | limit 100",
    );
    expect(queries[1].query_string).toBe(
      "fields @timestamp, latency_ms, @message | filter ispresent(latency_ms) | sort latency_ms desc | limit 50",
    );
  });
});

describe("insightsFilterFor", () => {
  test("'?a ?b' (any term) becomes one alternation", () => {
    expect(insightsFilterFor("?ERROR ?Error ?error ?Exception")).toBe(
      "@message like /ERROR|Error|error|Exception/",
    );
  });

  test("'a b' (all terms) becomes one condition per term", () => {
    expect(insightsFilterFor("ERROR payment")).toBe("@message like /ERROR/ and @message like /payment/");
  });

  test("JSON and other patterns fall back to a case-insensitive error match", () => {
    expect(insightsFilterFor('{ $.level = "error" }')).toBe("@message like /(?i)(error|exception)/");
  });
});
