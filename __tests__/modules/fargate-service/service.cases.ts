import "cdktf/lib/testing/adapters/jest";
import { BlueprintInput, ServiceSchema } from "../../../config/schema";
import {
  FargateEcsService,
  FargateEcsServiceProps,
  MIN_ROLLBACK_ERROR_LINES_PER_MINUTE,
  ROLLBACK_ALARM_PERIODS,
  rollbackErrorLinesPerMinute,
} from "../../../modules/fargate-service/service";
import { Naming } from "../../../modules/naming";
import { all, Json, only, ref, synthScope } from "../synth-scope";

type ServiceInput = BlueprintInput["services"][string];
const LB = { targetGroupArn: "${aws_lb_target_group.blue.arn}", containerName: "web", containerPort: 8080 };

function synth(service: ServiceInput, extra: Partial<FargateEcsServiceProps> = {}): Json {
  return synthScope(
    (scope) =>
      new FargateEcsService(scope, "svc", {
        naming: new Naming("demo", "test"),
        serviceName: "web",
        service: ServiceSchema.parse(service),
        clusterName: "ecs-cluster-demo-test",
        clusterArn: "${aws_ecs_cluster.main.arn}",
        taskDefinitionArn: "${aws_ecs_task_definition.web.arn}",
        subnetIds: ["subnet-a", "subnet-b"],
        securityGroupIds: ["sg-web"],
        capacityProviderStrategy: [
          { provider: "FARGATE", base: 1, weight: 1 },
          { provider: "FARGATE_SPOT", base: 0, weight: 3 },
        ],
        deploymentAlarms: {
          errorLogMetric: { namespace: "Platform/demo-test", metricName: "web/ErrorLogLines" },
          errorLogLines: 10,
          errorLogPattern: "?ERROR ?Exception",
          logGroupName: "/ecs/web-test",
        },
        ...extra,
      }),
  );
}
const WEB: ServiceInput = {
  kind: "web",
  cpu: 256,
  memory: 512,
  paths: ["/*"],
  healthCheck: { gracePeriodSeconds: 45 },
};

describe("FargateEcsService with CodeDeploy blue/green", () => {
  const service = only(synth(WEB, { loadBalancer: LB, strategy: "codedeploy" }), "aws_ecs_service");

  test("is controlled by CodeDeploy with the blue target group on the app container's port", () => {
    expect(service.deployment_controller).toEqual({ type: "CODE_DEPLOY" });
    expect(service.load_balancer).toEqual([
      { target_group_arn: "${aws_lb_target_group.blue.arn}", container_name: "web", container_port: 8080 },
    ]);
  });

  test("ignores what CodeDeploy and autoscaling own, and what UpdateService cannot change", () => {
    expect(service.lifecycle.ignore_changes).toEqual([
      "task_definition",
      "load_balancer",
      "network_configuration",
      "capacity_provider_strategy",
      "desired_count",
    ]);
  });

  test("has no circuit breaker, deployment alarms or rolling percentages (not allowed with CODE_DEPLOY)", () => {
    expect(service.deployment_circuit_breaker).toBeUndefined();
    expect(service.alarms).toBeUndefined();
    expect(service.deployment_minimum_healthy_percent).toBeUndefined();
  });

  test("waits the configured health-check grace period behind the ALB", () => {
    expect(service.health_check_grace_period_seconds).toBe(45);
  });
});

describe("rollbackErrorLinesPerMinute", () => {
  test.each([
    [10, 5],
    [1, 5],
    [30, 15],
    [31, 16],
  ])("a pager at %i lines in 5 minutes rolls back at %i a minute", (pager, perMinute) => {
    expect(rollbackErrorLinesPerMinute(pager)).toBe(perMinute);
  });

  test("is never more sensitive than the pager: two rollback minutes hold at least the pager's count", () => {
    for (let pager = 1; pager <= 500; pager++) {
      const perMinute = rollbackErrorLinesPerMinute(pager);
      expect(perMinute * ROLLBACK_ALARM_PERIODS).toBeGreaterThanOrEqual(pager);
      expect(perMinute).toBeGreaterThanOrEqual(MIN_ROLLBACK_ERROR_LINES_PER_MINUTE);
    }
  });
});

describe("FargateEcsService of a backend with rolling deployments", () => {
  const out = synth(
    {
      kind: "backend",
      cpu: 256,
      memory: 512,
      deployment: { minimumHealthyPercent: 50, maximumPercent: 150 },
    },
    { serviceRegistryArn: "${aws_service_discovery_service.web.arn}" },
  );
  const service = only(out, "aws_ecs_service");
  const alarms = all(out, "aws_cloudwatch_metric_alarm");

  test("runs in private subnets without a public IP", () => {
    expect(service.network_configuration).toEqual({
      subnets: ["subnet-a", "subnet-b"],
      security_groups: ["sg-web"],
      assign_public_ip: false,
    });
  });

  test("uses the given capacity provider strategy and no launch type", () => {
    expect(service.capacity_provider_strategy).toEqual([
      { capacity_provider: "FARGATE", base: 1, weight: 1 },
      { capacity_provider: "FARGATE_SPOT", base: 0, weight: 3 },
    ]);
    expect(service.launch_type).toBeUndefined();
  });

  test("has the operational defaults: tags propagated, exec off, force delete, no steady-state wait", () => {
    expect(service).toEqual(
      expect.objectContaining({
        name: "ecs-svc-web-test",
        cluster: "${aws_ecs_cluster.main.arn}",
        task_definition: "${aws_ecs_task_definition.web.arn}",
        propagate_tags: "SERVICE",
        enable_execute_command: false,
        force_delete: true,
        wait_for_steady_state: false,
        desired_count: 2,
      }),
    );
  });

  test("rolls out with the ECS controller, the circuit breaker and the configured percentages", () => {
    expect(service.deployment_controller).toEqual({ type: "ECS" });
    expect(service.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
    expect(service.deployment_minimum_healthy_percent).toBe(50);
    expect(service.deployment_maximum_percent).toBe(150);
  });

  test("rolls back on the app's error log lines, never on CPU or memory", () => {
    const ids = Object.keys(alarms);
    expect(service.alarms).toEqual({
      alarm_names: ids.map((id) => ref("aws_cloudwatch_metric_alarm", id, "alarm_name")),
      enable: true,
      rollback: true,
    });
    expect(Object.values(alarms)).toEqual([
      expect.objectContaining({
        alarm_name: "alarm-demo-web-rollback-log-errors-test",
        namespace: "Platform/demo-test",
        metric_name: "web/ErrorLogLines",
        statistic: "Sum",
        // 10 lines per 5 minutes page; rollback needs 5 a minute, 2 minutes running (10 lines).
        threshold: 5,
        period: 60,
        evaluation_periods: 2,
        datapoints_to_alarm: 2,
      }),
    ]);
    for (const a of Object.values(alarms))
      expect(["CPUUtilization", "MemoryUtilization"]).not.toContain(a.metric_name);
  });

  test("counts error lines with a metric filter in its own stack, publishing the metric the rollback alarm reads", () => {
    expect(only(out, "aws_cloudwatch_log_metric_filter")).toEqual(
      expect.objectContaining({
        name: "mf-web-error-lines-test",
        log_group_name: "/ecs/web-test",
        pattern: "?ERROR ?Exception",
        metric_transformation: expect.objectContaining({
          namespace: "Platform/demo-test",
          name: "web/ErrorLogLines",
          default_value: "0",
        }),
      }),
    );
  });

  test("ignores task_definition (releases own it) and desired_count (autoscaling owns it)", () => {
    expect(service.lifecycle.ignore_changes).toEqual(["task_definition", "desired_count"]);
  });

  test("registers its tasks in Cloud Map and has no load balancer or grace period", () => {
    expect(service.service_registries).toEqual({ registry_arn: "${aws_service_discovery_service.web.arn}" });
    expect(service.load_balancer).toBeUndefined();
    expect(service.health_check_grace_period_seconds).toBeUndefined();
    expect(service.service_connect_configuration).toBeUndefined();
  });
});

describe("FargateEcsService with Service Connect TLS, created with 0 tasks, not autoscaled", () => {
  const service = only(
    synth(
      { kind: "backend", cpu: 256, memory: 512 },
      {
        autoscaled: false,
        initialDesiredCount: 0,
        serviceConnect: {
          namespaceArn: "${aws_service_discovery_private_dns_namespace.ns.arn}",
          logGroupName: "/ecs/web-test",
          region: "us-east-1",
          endpoint: {
            discoveryName: "web-test",
            dnsName: "web-test.demo.internal",
            portName: "web",
            port: 8080,
            tls: { caArn: "arn:pca", roleArn: "arn:role/sc-tls", kmsKeyArn: "arn:kms" },
          },
        },
      },
    ),
    "aws_ecs_service",
  );
  const sc = service.service_connect_configuration;

  test("starts with no tasks", () => {
    expect(service.desired_count).toBe(0);
  });

  test("joins the namespace and serves its port under the Cloud Map DNS name", () => {
    expect(sc.enabled).toBe(true);
    expect(sc.namespace).toBe("${aws_service_discovery_private_dns_namespace.ns.arn}");
    expect(sc.service).toEqual([
      expect.objectContaining({
        port_name: "web",
        discovery_name: "web-test",
        client_alias: { port: 8080, dns_name: "web-test.demo.internal" },
      }),
    ]);
  });

  test("keeps the proxy on the container port unless an ingress port is given", () => {
    expect(sc.service[0].ingress_port_override).toBeUndefined();
  });

  test("encrypts with certificates from the Private CA", () => {
    expect(sc.service[0].tls).toEqual({
      issuer_cert_authority: { aws_pca_authority_arn: "arn:pca" },
      role_arn: "arn:role/sc-tls",
      kms_key: "arn:kms",
    });
  });

  test("sends the proxy's logs to the service's log group", () => {
    expect(sc.log_configuration).toEqual({
      log_driver: "awslogs",
      options: {
        "awslogs-group": "/ecs/web-test",
        "awslogs-region": "us-east-1",
        "awslogs-stream-prefix": "service-connect",
      },
    });
  });

  test("ignores only task_definition when nothing scales it (releases own the revision)", () => {
    expect(service.lifecycle.ignore_changes).toEqual(["task_definition"]);
  });
});

describe("FargateEcsService behind the ALB with Service Connect TLS", () => {
  const service = only(
    synth(
      { ...WEB, deployment: { strategy: "rolling" } },
      {
        loadBalancer: LB,
        serviceConnect: {
          namespaceArn: "arn:ns",
          logGroupName: "/ecs/web-test",
          region: "us-east-1",
          endpoint: {
            discoveryName: "web-test",
            dnsName: "web-test.demo.internal",
            portName: "web",
            port: 8080,
            tls: { caArn: "arn:pca", roleArn: "arn:role/sc-tls", kmsKeyArn: "arn:kms" },
            ingressPortOverride: 9443,
          },
        },
      },
    ),
    "aws_ecs_service",
  );

  test("moves the TLS proxy off the container port the ALB targets", () => {
    expect(service.load_balancer[0].container_port).toBe(8080);
    expect(service.service_connect_configuration.service[0]).toEqual(
      expect.objectContaining({
        ingress_port_override: 9443,
        client_alias: expect.objectContaining({ port: 8080 }),
      }),
    );
  });
});

describe("FargateEcsService as a Service Connect client only", () => {
  const service = only(
    synth(
      { kind: "worker", cpu: 256, memory: 512 },
      { serviceConnect: { namespaceArn: "arn:ns", logGroupName: "/ecs/web-test", region: "us-east-1" } },
    ),
    "aws_ecs_service",
  );

  test("joins the namespace without serving an endpoint", () => {
    expect(service.service_connect_configuration.enabled).toBe(true);
    expect(service.service_connect_configuration.namespace).toBe("arn:ns");
    expect(service.service_connect_configuration.service).toBeUndefined();
  });
});

/** Service Connect without TLS, serving port 8080 as `web-test`. */
const PLAIN_SERVICE_CONNECT = {
  namespaceArn: "arn:ns",
  logGroupName: "/ecs/web-test",
  region: "us-east-1",
  endpoint: { discoveryName: "web-test", dnsName: "web-test.demo.internal", portName: "web", port: 8080 },
};

describe("FargateEcsService with plain-text Service Connect", () => {
  const service = only(
    synth(
      { kind: "backend", cpu: 256, memory: 512 },
      {
        serviceConnect: PLAIN_SERVICE_CONNECT,
      },
    ),
    "aws_ecs_service",
  );

  test("serves its endpoint without TLS when the blueprint does not ask for it", () => {
    expect(service.service_connect_configuration.service[0].port_name).toBe("web");
    expect(service.service_connect_configuration.service[0].tls).toBeUndefined();
  });
});

describe("FargateEcsService validation", () => {
  const sc = { namespaceArn: "arn:ns", logGroupName: "/ecs/web-test", region: "us-east-1" };

  test("fails when CodeDeploy has no load balancer", () => {
    expect(() => synth(WEB, { strategy: "codedeploy" })).toThrow(
      /web: CodeDeploy blue\/green needs a load balancer/,
    );
  });

  test("fails when Service Connect is combined with CodeDeploy", () => {
    expect(() => synth(WEB, { strategy: "codedeploy", loadBalancer: LB, serviceConnect: sc })).toThrow(
      /Service Connect cannot be used with CodeDeploy/,
    );
  });

  test("fails when both a Cloud Map registration and Service Connect are given", () => {
    expect(() =>
      synth({ kind: "backend", cpu: 256, memory: 512 }, { serviceConnect: sc, serviceRegistryArn: "arn:sd" }),
    ).toThrow(/either directly or through Service Connect, not both/);
  });
});

describe("FargateEcsService with ECS-native blue/green behind the ALB", () => {
  const ADVANCED = {
    ...LB,
    advanced: {
      alternateTargetGroupArn: "${aws_lb_target_group.green.arn}",
      productionListenerRuleArn: "${aws_lb_listener_rule.production.arn}",
      testListenerRuleArn: "${aws_lb_listener_rule.test.arn}",
      roleArn: "${aws_iam_role.ecs_lb.arn}",
    },
  };
  const synthBlueGreen = (deployment: ServiceInput["deployment"] = {}) =>
    only(
      synth(
        { ...WEB, deployment: { strategy: "ecs-blue-green", ...deployment } },
        {
          strategy: "ecs-blue-green",
          loadBalancer: ADVANCED,
          blueGreenAlarmNames: ["alarm-web-blue-5xx-test"],
          replaceWith: ["aws_lb_target_group.blue.id", "aws_lb_target_group.green.id"],
        },
      ),
      "aws_ecs_service",
    );
  const service = synthBlueGreen({ bakeTimeMinutes: 15 });

  test("runs blue/green under the ECS controller with the configured bake time", () => {
    expect(service.deployment_controller).toEqual({ type: "ECS" });
    expect(service.deployment_configuration).toEqual({ strategy: "BLUE_GREEN", bake_time_in_minutes: "15" });
  });

  test("names the alternate target group, both listener rules and the infrastructure role", () => {
    expect(service.load_balancer).toEqual([
      {
        target_group_arn: "${aws_lb_target_group.blue.arn}",
        container_name: "web",
        container_port: 8080,
        advanced_configuration: {
          alternate_target_group_arn: "${aws_lb_target_group.green.arn}",
          production_listener_rule: "${aws_lb_listener_rule.production.arn}",
          test_listener_rule: "${aws_lb_listener_rule.test.arn}",
          role_arn: "${aws_iam_role.ecs_lb.arn}",
        },
      },
    ]);
  });

  test("rolls back on the circuit breaker, its own alarms and the target group gate alarms", () => {
    expect(service.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
    expect(service.alarms.rollback).toBe(true);
    expect(service.alarms.alarm_names).toContain("alarm-web-blue-5xx-test");
    // Its error-log alarm and the gate alarm it is given.
    expect(service.alarms.alarm_names).toHaveLength(2);
  });

  test("ignores load_balancer, which ECS swaps on every deployment, and is replaced with its target groups", () => {
    expect(service.lifecycle.ignore_changes).toEqual(["task_definition", "load_balancer", "desired_count"]);
    expect(service.lifecycle.replace_triggered_by).toEqual([
      expect.stringMatching(/^terraform_data\.[^.]+\.id$/),
      "aws_lb_target_group.blue.id",
      "aws_lb_target_group.green.id",
    ]);
  });

  test("shifts canary and linear traffic with the provider's configuration blocks", () => {
    const canary = synthBlueGreen({ trafficShift: { type: "canary", percent: 10, bakeMinutes: 5 } });
    expect(canary.deployment_configuration).toEqual({
      strategy: "CANARY",
      bake_time_in_minutes: "5",
      canary_configuration: { canary_percent: 10, canary_bake_time_in_minutes: "5" },
    });
    const linear = synthBlueGreen({ trafficShift: { type: "linear", stepPercent: 25, stepBakeMinutes: 2 } });
    expect(linear.deployment_configuration).toEqual({
      strategy: "LINEAR",
      bake_time_in_minutes: "5",
      linear_configuration: { step_percent: 25, step_bake_time_in_minutes: "2" },
    });
  });

  test("fails without the ALB's advanced configuration or Service Connect", () => {
    expect(() => synth(WEB, { strategy: "ecs-blue-green", loadBalancer: LB })).toThrow(
      /ECS-native blue\/green shifts traffic through the ALB \(loadBalancer.advanced\) or Service Connect/,
    );
  });
});

describe("FargateEcsService with ECS-native blue/green through Service Connect only (a meshed backend)", () => {
  const service = only(
    synth(
      {
        kind: "backend",
        cpu: 256,
        memory: 512,
        deployment: { strategy: "ecs-blue-green", bakeTimeMinutes: 3 },
      },
      {
        strategy: "ecs-blue-green",
        serviceConnect: PLAIN_SERVICE_CONNECT,
      },
    ),
    "aws_ecs_service",
  );

  test("deploys blue/green under the ECS controller without a load balancer", () => {
    expect(service.deployment_configuration).toEqual({ strategy: "BLUE_GREEN", bake_time_in_minutes: "3" });
    expect(service.load_balancer).toBeUndefined();
    expect(service.lifecycle.ignore_changes).toEqual(["task_definition", "desired_count"]);
  });

  test("sends requests carrying the test header to green before the shift", () => {
    expect(service.service_connect_configuration.service[0].client_alias.test_traffic_rules).toEqual([
      { header: { name: "x-blue-green-test", value: { exact: "green" } } },
    ]);
  });
});

describe("mesh 5xx rollback alarm", () => {
  const withCallers = (callers?: string[]) =>
    all(
      synth(
        { kind: "backend", cpu: 256, memory: 512 },
        {
          serviceConnect: {
            ...PLAIN_SERVICE_CONNECT,
            endpoint: { ...PLAIN_SERVICE_CONNECT.endpoint, callerEcsServiceNames: callers },
          },
        },
      ),
      "aws_cloudwatch_metric_alarm",
    );

  test("sums the target 5xx answered to this cluster's callers only (caller ServiceName, ClusterName)", () => {
    const alarm = Object.values(withCallers(["ecs-svc-api-test", "ecs-svc-ui-test"])).find((a) =>
      String(a.alarm_name).includes("mesh-5xx"),
    )!;
    expect(alarm.metric_name).toBeUndefined();
    const queries = alarm.metric_query as Json[];
    expect(queries.filter((q) => q.metric).map((q) => q.metric.dimensions)).toEqual([
      {
        ClusterName: "ecs-cluster-demo-test",
        ServiceName: "ecs-svc-api-test",
        TargetDiscoveryName: "web-test",
      },
      {
        ClusterName: "ecs-cluster-demo-test",
        ServiceName: "ecs-svc-ui-test",
        TargetDiscoveryName: "web-test",
      },
    ]);
    expect(queries.find((q) => q.return_data === true)!.expression).toBe("SUM([FILL(c0, 0), FILL(c1, 0)])");
    expect(alarm.threshold).toBe(5);
  });

  test("never reads the account-wide TargetDiscoveryName-only series", () => {
    for (const a of Object.values(withCallers(["ecs-svc-api-test"])))
      for (const q of (a.metric_query as Json[] | undefined) ?? [])
        if (q.metric) expect(Object.keys(q.metric.dimensions)).toContain("ClusterName");
  });

  test("is not created when nothing in this cluster calls the service", () => {
    expect(Object.values(withCallers()).map((a) => a.alarm_name)).toEqual([
      "alarm-demo-web-rollback-log-errors-test",
    ]);
  });
});
