/**
 * Conformance of the `orders` blueprint to brief 000 (trading orders: api-gateway,
 * order-processor, market-data): every requirement line the infrastructure can show, asserted
 * on the synthesized JSON of all stacks, synthesized once.
 */
import "cdktf/lib/testing/adapters/jest";
import {
  afterRelease,
  allowedActions,
  appContainer,
  containersOf,
  dashboardMetrics,
  defaultTags,
  destroyBlockers,
  ENVIRONMENT_STACKS,
  imageOf,
  literalNames,
  ofService,
  oneOf,
  onlyUnder,
  privateEgress,
  ref,
  resourcesFor,
  scalingPolicy,
  statementsOf,
  suffixPattern,
  throughRemoteState,
  underPath,
} from "../support/find";
import { configFor, Json, resources, synthApp } from "../support/synth";

const SERVICES = ["api-gateway", "order-processor", "market-data"];
const BACKENDS = ["order-processor", "market-data"];

describe("orders blueprint (brief 000)", () => {
  const { stacks } = synthApp(configFor("orders"));
  const { network, registry, platform, observability } = stacks;

  const [clusterId, cluster] = onlyUnder(platform, "aws_ecs_cluster", "platform/cluster/");
  const [albSgId] = onlyUnder(platform, "aws_security_group", "platform/load-balancer/");
  const service = (name: string) => oneOf(platform, "aws_ecs_service", name)[1];
  const serviceSg = (name: string) =>
    ref("aws_security_group", oneOf(platform, "aws_security_group", name)[0], "id");

  describe("1. ECS cluster configuration", () => {
    test("the cluster has both Fargate and Fargate Spot capacity providers", () => {
      const [, providers] = onlyUnder(platform, "aws_ecs_cluster_capacity_providers", "platform/cluster/");
      expect(providers.cluster_name).toBe(ref("aws_ecs_cluster", clusterId, "name"));
      expect(providers.capacity_providers.sort()).toEqual(["FARGATE", "FARGATE_SPOT"]);
    });

    test("capacity provider strategies optimise cost: one on-demand base task, then 2 Spot for 1 on-demand", () => {
      const strategy = [
        { capacity_provider: "FARGATE", base: 1, weight: 1 },
        { capacity_provider: "FARGATE_SPOT", base: 0, weight: 2 },
      ];
      expect(
        onlyUnder(platform, "aws_ecs_cluster_capacity_providers", "platform/cluster/")[1]
          .default_capacity_provider_strategy,
      ).toEqual(strategy);
      for (const name of SERVICES) expect(service(name).capacity_provider_strategy).toEqual(strategy);
    });
  });

  describe("2. microservices task definitions", () => {
    test.each([
      ["api-gateway", 512, 1024],
      ["order-processor", 1024, 2048],
      ["market-data", 512, 1024],
    ])("%s has its own Fargate task definition with %i CPU units and %i MiB", (name, cpu, memory) => {
      const [taskDefinitionId, taskDefinition] = oneOf(platform, "aws_ecs_task_definition", name);
      expect(taskDefinition).toMatchObject({
        family: `task-orders-${name}-test`,
        cpu: String(cpu),
        memory: String(memory),
        requires_compatibilities: ["FARGATE"],
      });
      expect(service(name).task_definition).toBe(ref("aws_ecs_task_definition", taskDefinitionId, "arn"));
    });

    test("container images are referenced from each service's ECR repository", () => {
      for (const name of SERVICES)
        expect(imageOf(platform, name)).toMatch(
          new RegExp(`\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/ecr-repo-orders-${name}-test:bootstrap$`),
        );
    });

    test("environment variables and Secrets Manager integration in the container definitions", () => {
      const [dbId] = onlyUnder(platform, "aws_secretsmanager_secret", "platform/secrets/db-credentials");
      const [keysId] = onlyUnder(platform, "aws_secretsmanager_secret", "platform/secrets/exchange-api-keys");
      expect(appContainer(platform, "api-gateway").container.secrets).toEqual([
        { name: "EXCHANGE_API_KEYS", valueFrom: ref("aws_secretsmanager_secret", keysId, "arn") },
      ]);
      expect(appContainer(platform, "order-processor").container.secrets).toEqual([
        { name: "DB_PASSWORD", valueFrom: `${ref("aws_secretsmanager_secret", dbId, "arn")}:password::` },
        { name: "DB_USERNAME", valueFrom: `${ref("aws_secretsmanager_secret", dbId, "arn")}:username::` },
      ]);
      for (const name of SERVICES)
        expect(appContainer(platform, name).container.environment).toContainEqual({
          name: "LOG_LEVEL",
          value: "info",
        });
    });

    test("CloudWatch Logs are configured for each container: the app in its group, the sidecar in the sidecars' group", () => {
      for (const name of SERVICES) {
        const [groupId] = oneOf(platform, "aws_cloudwatch_log_group", name, "task/logs");
        const [sidecarGroupId] = oneOf(platform, "aws_cloudwatch_log_group", name, "task/sidecar-logs");
        const containers = containersOf(oneOf(platform, "aws_ecs_task_definition", name)[1]);
        expect(containers).toHaveLength(2);
        for (const c of containers)
          expect(c.logConfiguration).toMatchObject({
            logDriver: "awslogs",
            options: {
              "awslogs-group": ref(
                "aws_cloudwatch_log_group",
                c.name === name ? groupId : sidecarGroupId,
                "name",
              ),
              "awslogs-stream-prefix": c.name,
            },
          });
      }
    });

    test("an X-Ray daemon sidecar runs in every task for distributed tracing", () => {
      for (const name of SERVICES) {
        const daemon = containersOf(oneOf(platform, "aws_ecs_task_definition", name)[1]).find(
          (c) => c.name === "xray-daemon",
        );
        expect(daemon).toMatchObject({
          image: expect.stringContaining("aws-xray-daemon"),
          essential: false,
          portMappings: [{ containerPort: 2000, protocol: "udp" }],
        });
      }
    });
  });

  describe("3. Application Load Balancer integration", () => {
    test("an internet-facing Application Load Balancer in the public subnets takes external traffic", () => {
      const [, alb] = onlyUnder(platform, "aws_lb", "platform/load-balancer/");
      expect(alb).toMatchObject({
        load_balancer_type: "application",
        internal: false,
        name: "alb-orders-test",
      });
      expect(alb.subnets).toEqual([0, 1, 2].map((i) => expect.stringContaining(`public-subnet-${i}`)));
    });

    test("target groups exist for the api-gateway service only", () => {
      const owners = Object.values(resources(platform, "aws_lb_target_group")).map(
        (tg) => tg["//"].metadata.path.split("/")[1],
      );
      expect(new Set(owners)).toEqual(new Set(["service-api-gateway"]));
      expect(service("api-gateway").load_balancer).toEqual([
        expect.objectContaining({
          container_name: "api-gateway",
          container_port: 8080,
          target_group_arn: ref(
            "aws_lb_target_group",
            oneOf(platform, "aws_lb_target_group", "api-gateway", "/blue")[0],
            "arn",
          ),
        }),
      ]);
    });

    test("path-based routing sends /api/* and /health to api-gateway", () => {
      const [, rule] = oneOf(platform, "aws_lb_listener_rule", "api-gateway", "production-rule");
      const [httpId] = onlyUnder(platform, "aws_lb_listener", "platform/load-balancer/http");
      expect(rule.listener_arn).toBe(ref("aws_lb_listener", httpId, "arn"));
      expect(rule.condition).toEqual([{ path_pattern: { values: ["/api/*", "/health"] } }]);
    });

    test("health checks with thresholds: /health every 15 s, healthy after 2, unhealthy after 3", () => {
      expect(oneOf(platform, "aws_lb_target_group", "api-gateway", "/blue")[1].health_check).toMatchObject({
        path: "/health",
        interval: 15,
        healthy_threshold: 2,
        unhealthy_threshold: 3,
      });
    });

    test("security groups: the ALB reaches api-gateway, api-gateway the backends, order-processor market-data", () => {
      const sources = (name: string) =>
        Object.values(resources(platform, "aws_vpc_security_group_ingress_rule"))
          .filter((r) => r.security_group_id === serviceSg(name))
          .map((r) => r.referenced_security_group_id ?? r.cidr_ipv4)
          .sort();
      expect(sources("api-gateway")).toEqual([ref("aws_security_group", albSgId, "id")]);
      expect(sources("order-processor")).toEqual([serviceSg("api-gateway")]);
      expect(sources("market-data")).toEqual([serviceSg("api-gateway"), serviceSg("order-processor")].sort());
    });
  });

  describe("4. service discovery with AWS Cloud Map", () => {
    const [namespaceId, namespace] = onlyUnder(
      platform,
      "aws_service_discovery_private_dns_namespace",
      "platform/namespace/",
    );

    test("a Cloud Map private DNS namespace", () => {
      expect(namespace.name).toBe("test.orders.internal");
    });

    test("a service discovery service for each internal microservice, with Cloud Map health checking", () => {
      for (const name of BACKENDS) {
        const [discoveryId, discovery] = oneOf(platform, "aws_service_discovery_service", name);
        expect(discovery).toMatchObject({
          name: `${name}-test`,
          health_check_custom_config: {},
          dns_config: { namespace_id: ref("aws_service_discovery_private_dns_namespace", namespaceId, "id") },
        });
        expect(service(name).service_registries).toEqual({
          registry_arn: ref("aws_service_discovery_service", discoveryId, "arn"),
        });
      }
    });

    test("DNS-based discovery for inter-service communication: callers get their callees' DNS names", () => {
      expect(appContainer(platform, "api-gateway").container.environment).toEqual(
        expect.arrayContaining([
          { name: "ORDER_PROCESSOR_URL", value: "http://order-processor-test.test.orders.internal:8081" },
          { name: "MARKET_DATA_URL", value: "http://market-data-test.test.orders.internal:8082" },
        ]),
      );
      expect(appContainer(platform, "order-processor").container.environment).toContainEqual({
        name: "MARKET_DATA_URL",
        value: "http://market-data-test.test.orders.internal:8082",
      });
    });
  });

  describe("5. auto-scaling policies", () => {
    test.each([
      ["api-gateway", 2, 10],
      ["order-processor", 2, 12],
      ["market-data", 2, 8],
    ])("%s scales between %i and %i tasks", (name, min, max) => {
      const [, target] = oneOf(platform, "aws_appautoscaling_target", name);
      expect(target).toMatchObject({
        min_capacity: afterRelease(platform, name, min),
        max_capacity: max,
        service_namespace: "ecs",
      });
      expect(target.resource_id).toBe(
        `service/${ref("aws_ecs_cluster", clusterId, "name")}/${ref("aws_ecs_service", oneOf(platform, "aws_ecs_service", name)[0], "name")}`,
      );
    });

    test("target tracking on CPU utilization, target 70%, for each microservice", () => {
      for (const name of SERVICES)
        expect(
          scalingPolicy(platform, name, "cpu-policy").target_tracking_scaling_policy_configuration,
        ).toMatchObject({
          predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
          target_value: 70,
        });
    });

    test("custom metric-based scaling: pending orders per task for order-processor, quote lag as it is for market-data", () => {
      const pending = scalingPolicy(
        platform,
        "order-processor",
        "custom-policy",
      ).target_tracking_scaling_policy_configuration;
      expect(pending.target_value).toBe(100);
      const metrics = pending.customized_metric_specification.metrics as Json[];
      expect(metrics.find((m) => m.id === "custom")!.metric_stat).toMatchObject({
        stat: "Average",
        metric: { namespace: "Orders/Application", metric_name: "PendingOrders" },
      });
      // A queue total is not a per-task load: divided by the running tasks.
      expect(metrics.filter((m) => m.return_data)).toEqual([
        expect.objectContaining({ expression: "custom / tasks" }),
      ]);
      const lag = scalingPolicy(
        platform,
        "market-data",
        "custom-policy",
      ).target_tracking_scaling_policy_configuration;
      expect(lag.target_value).toBe(50);
      expect(lag.customized_metric_specification.metrics).toEqual([
        expect.objectContaining({
          return_data: true,
          metric_stat: expect.objectContaining({
            metric: expect.objectContaining({
              namespace: "Orders/Application",
              metric_name: "QuoteLagMilliseconds",
            }),
          }),
        }),
      ]);
    });

    test("custom scaling metrics carry Blueprint and Environment, which the task gets as variables for its EMF line", () => {
      for (const [name, policy] of [
        ["order-processor", "custom-policy"],
        ["market-data", "custom-policy"],
      ]) {
        const metrics = scalingPolicy(platform, name, policy).target_tracking_scaling_policy_configuration
          .customized_metric_specification.metrics as Json[];
        expect(metrics.find((m) => m.id === "custom")!.metric_stat.metric.dimensions).toEqual([
          { name: "Blueprint", value: "orders" },
          { name: "Environment", value: "test" },
        ]);
        const app = containersOf(oneOf(platform, "aws_ecs_task_definition", name)[1])[0];
        const env = Object.fromEntries((app.environment as Json[]).map((e) => [e.name, e.value]));
        expect(env).toMatchObject({ METRIC_BLUEPRINT: "orders", METRIC_ENVIRONMENT: "test" });
      }
    });

    test("the services that scale on a custom metric may publish exactly its namespace", () => {
      for (const name of BACKENDS) {
        const [, rolePolicy] = oneOf(platform, "aws_iam_role_policy", name, "task-policy");
        const statement = statementsOf(platform, rolePolicy).find(
          (st) => st.sid === "PublishOwnScalingMetric",
        );
        expect(statement).toMatchObject({
          actions: ["cloudwatch:PutMetricData"],
          condition: [
            { test: "StringEquals", variable: "cloudwatch:namespace", values: ["Orders/Application"] },
          ],
        });
      }
    });

    test("api-gateway also scales on ALB requests per task (500), over both blue/green target groups", () => {
      const config = scalingPolicy(
        platform,
        "api-gateway",
        "requests-policy",
      ).target_tracking_scaling_policy_configuration;
      expect(config.target_value).toBe(500);
      const metrics = JSON.stringify(config.customized_metric_specification.metrics);
      for (const color of ["/blue", "/green"])
        expect(metrics).toContain(oneOf(platform, "aws_lb_target_group", "api-gateway", color)[0]);
    });

    test("scale-in and scale-out cooldowns: 300 s in, 60 s out", () => {
      for (const [, policy] of Object.entries(resources(platform, "aws_appautoscaling_policy")).filter(
        ([, p]) => p.policy_type === "TargetTrackingScaling",
      ))
        expect(policy.target_tracking_scaling_policy_configuration).toMatchObject({
          scale_in_cooldown: 300,
          scale_out_cooldown: 60,
        });
    });

    test("auto-scaling responds to load within 2 minutes: a step policy on a 1-minute CPU alarm, 1 datapoint, 5 points above the 70 % target", () => {
      for (const name of SERVICES) {
        const [policyId] = oneOf(platform, "aws_appautoscaling_policy", name, "fast-cpu-policy");
        const [, alarm] = oneOf(platform, "aws_cloudwatch_metric_alarm", name, "fast-cpu-alarm");
        expect(alarm).toMatchObject({
          period: 60,
          evaluation_periods: 1,
          threshold: 75,
          metric_name: "CPUUtilization",
        });
        expect(alarm.alarm_actions).toEqual([ref("aws_appautoscaling_policy", policyId, "arn")]);
      }
    });
  });

  describe("6. ECR repository management", () => {
    const repositories = Object.values(resources(registry, "aws_ecr_repository"));

    test("an ECR repository per microservice, named like ecr-repo-order-processor-<suffix>", () => {
      expect(repositories.map((r) => r.name).sort()).toEqual(
        SERVICES.map((s) => `ecr-repo-orders-${s}-test`).sort(),
      );
    });

    test("lifecycle policies retain only the last 10 images", () => {
      for (const [, p] of Object.entries(resources(registry, "aws_ecr_lifecycle_policy")))
        expect(JSON.parse(p.policy).rules).toContainEqual(
          expect.objectContaining({
            selection: expect.objectContaining({
              tagStatus: "any",
              countType: "imageCountMoreThan",
              countNumber: 10,
            }),
            action: { type: "expire" },
          }),
        );
    });

    test("repository policies allow pulls from this account only", () => {
      const policies = Object.values(resources(registry, "aws_ecr_repository_policy"));
      expect(policies).toHaveLength(3);
      for (const p of policies) {
        const id = /aws_iam_policy_document\.([^.]+)\.json/.exec(p.policy)![1];
        const statements = registry.data.aws_iam_policy_document[id].statement as Json[];
        expect(statements).toContainEqual(
          expect.objectContaining({
            effect: "Deny",
            condition: [expect.objectContaining({ variable: "aws:PrincipalAccount" })],
          }),
        );
      }
    });

    test("image scanning on push, immutable tags", () => {
      for (const r of repositories) {
        expect(r.image_scanning_configuration).toEqual({ scan_on_push: true });
        expect(r.image_tag_mutability).toBe("IMMUTABLE");
      }
    });
  });

  describe("7. CloudWatch Container Insights", () => {
    test("Container Insights with enhanced monitoring at cluster level", () => {
      expect(cluster.setting).toEqual([{ name: "containerInsights", value: "enhanced" }]);
    });

    test("log aggregation: every container log lands in its service's log group (30 days)", () => {
      for (const name of SERVICES)
        expect(oneOf(platform, "aws_cloudwatch_log_group", name, "task/logs")[1]).toMatchObject({
          name: `/ecs/orders-${name}-test`,
          retention_in_days: 30,
        });
    });

    test("metric filters turn application log lines into custom metrics (ORDER_ROUTED, ORDER_FILLED)", () => {
      const filters = Object.values(resources(observability, "aws_cloudwatch_log_metric_filter"));
      const application = (name: string) => filters.find((f) => f.name === `mf-${name}-application-test`)!;
      expect(application("api-gateway").pattern).toContain('msg="ORDER_ROUTED"');
      expect(application("order-processor").pattern).toContain('msg="ORDER_FILLED"');
      expect(throughRemoteState(platform, application("order-processor").log_group_name)).toBe(
        ref(
          "aws_cloudwatch_log_group",
          oneOf(platform, "aws_cloudwatch_log_group", "order-processor", "task/logs")[0],
          "name",
        ),
      );
    });
  });

  describe("8. IAM roles and permissions", () => {
    test("task execution roles may pull their own image from ECR", () => {
      for (const name of SERVICES)
        expect(resourcesFor(platform, name, "execution-policy", "ecr:BatchGetImage")).toEqual([
          expect.stringMatching(new RegExp(`:repository/ecr-repo-orders-${name}-test$`)),
        ]);
    });

    test("CloudWatch Logs write permissions on the service's own log group", () => {
      for (const name of SERVICES)
        expect(resourcesFor(platform, name, "execution-policy", "logs:PutLogEvents")).toEqual([
          expect.stringMatching(new RegExp(`:log-group:/ecs/orders-${name}-test:\\*$`)),
          expect.stringMatching(new RegExp(`:log-group:/ecs/sidecars/orders-${name}-test:\\*$`)),
        ]);
    });

    test("Secrets Manager access to exactly the secrets each service uses", () => {
      const secretArns = (name: string) =>
        resourcesFor(platform, name, "execution-policy", "secretsmanager:GetSecretValue");
      expect(secretArns("api-gateway")).toEqual([expect.stringContaining("secrets_exchange-api-keys_")]);
      expect(secretArns("order-processor")).toEqual([expect.stringContaining("secrets_db-credentials_")]);
      expect(secretArns("market-data")).toEqual([expect.stringContaining("secrets_exchange-api-keys_")]);
    });

    test("least-privilege task roles: X-Ray, and for custom-metric scaling its one namespace, nothing else", () => {
      for (const name of SERVICES)
        expect(
          allowedActions(platform, name, "task-policy").every(
            (a) => a.startsWith("xray:") || (BACKENDS.includes(name) && a === "cloudwatch:PutMetricData"),
          ),
        ).toBe(true);
    });

    test("X-Ray daemon permissions to submit trace data", () => {
      for (const name of SERVICES)
        expect(allowedActions(platform, name, "task-policy")).toEqual(
          expect.arrayContaining([
            "xray:PutTraceSegments",
            "xray:PutTelemetryRecords",
            "xray:GetSamplingRules",
          ]),
        );
    });
  });

  describe("9. circuit breaker pattern", () => {
    test("the internal services keep the ECS deployment circuit breaker, with rollback on deployment failure", () => {
      for (const name of BACKENDS) {
        expect(service(name).deployment_controller).toEqual({ type: "ECS" });
        expect(service(name).deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
      }
    });

    test("deployment alarms integration: the app's error log lines roll a deployment back (never CPU or memory: load is autoscaling's)", () => {
      for (const name of BACKENDS) {
        const [id, alarm] = oneOf(platform, "aws_cloudwatch_metric_alarm", name, "rollback-log-errors");
        expect(service(name).alarms).toEqual({
          enable: true,
          rollback: true,
          alarm_names: [ref("aws_cloudwatch_metric_alarm", id, "alarm_name")],
        });
        expect(alarm).toMatchObject({
          metric_name: `${name}/ErrorLogLines`,
          evaluation_periods: 2,
          period: 60,
        });
      }
    });
  });

  describe("design card: the web service deploys CodeDeploy blue/green", () => {
    test("api-gateway is controlled by CodeDeploy, gated by its target groups' alarms", () => {
      expect(service("api-gateway").deployment_controller).toEqual({ type: "CODE_DEPLOY" });
      const [, group] = oneOf(platform, "aws_codedeploy_deployment_group", "api-gateway");
      expect(group.auto_rollback_configuration.events).toContain("DEPLOYMENT_STOP_ON_ALARM");
      // Both target groups' 5xx and unhealthy hosts, and the app's error log lines.
      expect(group.alarm_configuration.alarms).toHaveLength(5);
    });

    test("api-gateway is not in Cloud Map: no DNS name holds both task sets before the gate", () => {
      expect(service("api-gateway").service_registries).toBeUndefined();
      expect(ofService(platform, "aws_service_discovery_service", "api-gateway")).toHaveLength(0);
    });
  });

  describe("10. CloudWatch dashboards", () => {
    const metricsOf = (name: string) => dashboardMetrics(observability, `dashboard-orders-${name}-test`);

    test("service health metrics (CPU, memory, task count) for each service", () => {
      for (const name of SERVICES) {
        const metrics = metricsOf(name).map((m) => m.metric);
        expect(metrics).toEqual(
          expect.arrayContaining(["CPUUtilization", "MemoryUtilization", "RunningTaskCount"]),
        );
      }
    });

    test("request latency percentiles p50, p90 and p99", () => {
      const latency = metricsOf("api-gateway").filter((m) => m.metric === "TargetResponseTime");
      expect(new Set(latency.map((m) => m.stat))).toEqual(new Set(["p50", "p90", "p99"]));
    });

    test("error rates and HTTP status code distributions", () => {
      const metrics = metricsOf("api-gateway").map((m) => m.metric);
      expect(metrics).toEqual(
        expect.arrayContaining(["HTTPCode_Target_4XX_Count", "HTTPCode_Target_5XX_Count"]),
      );
      expect(metricsOf("api-gateway").some((m) => m.widget === "5xx error rate %")).toBe(true);
    });

    test("ALB target health and request count, on api-gateway's target groups", () => {
      const metrics = metricsOf("api-gateway").filter((m) => m.namespace === "AWS/ApplicationELB");
      expect(metrics.map((m) => m.metric)).toEqual(
        expect.arrayContaining(["HealthyHostCount", "UnHealthyHostCount", "RequestCount"]),
      );
      const targetGroup = metrics.find((m) => m.metric === "HealthyHostCount")!.dimensions[1];
      expect(throughRemoteState(platform, targetGroup)).toBe(
        ref(
          "aws_lb_target_group",
          oneOf(platform, "aws_lb_target_group", "api-gateway", "/blue")[0],
          "arn_suffix",
        ),
      );
    });
  });

  describe("11. X-Ray distributed tracing", () => {
    test("X-Ray sampling: one rule for this environment's services (10% beyond 2 requests/s)", () => {
      // Every service samples at the blueprint's rate: one rule, matching only this environment.
      const rules = Object.values(resources(observability, "aws_xray_sampling_rule"));
      expect(rules.map((r) => r.service_name)).toEqual(["*.orders@test"]);
      for (const r of rules) expect(r).toMatchObject({ fixed_rate: 0.1, reservoir_size: 2 });
    });

    test("X-Ray SDK integration configured through environment variables", () => {
      for (const name of SERVICES)
        expect(appContainer(platform, name).container.environment).toContainEqual({
          name: "AWS_XRAY_DAEMON_ADDRESS",
          value: "127.0.0.1:2000",
        });
    });

    test("a trace group for the environment, over each microservice's environment-scoped name", () => {
      // One group per environment (X-Ray allows 25 per region); the service map of the group
      // shows each microservice as its own node.
      const groups = Object.values(resources(observability, "aws_xray_group"));
      expect(groups.map((g) => g.filter_expression)).toEqual([
        SERVICES.map((s) => `service("${s}.orders@test")`).join(" OR "),
      ]);
    });
  });

  describe("technical requirements and constraints", () => {
    test("deploys to us-east-1", () => {
      for (const stack of Object.values(stacks)) expect(stack.provider.aws[0].region).toBe("us-east-1");
    });

    test("Fargate launch type: every task definition requires FARGATE and services run on Fargate capacity", () => {
      for (const td of Object.values(resources(platform, "aws_ecs_task_definition")))
        expect(td.requires_compatibilities).toEqual(["FARGATE"]);
      for (const s of Object.values(resources(platform, "aws_ecs_service")))
        for (const item of s.capacity_provider_strategy)
          expect(item.capacity_provider).toMatch(/^FARGATE(_SPOT)?$/);
    });

    test("VPC with public and private subnets; private subnets leave through one NAT gateway per AZ", () => {
      expect(underPath(network, "aws_subnet", "network/vpc/public-subnet-")).toHaveLength(3);
      expect(underPath(network, "aws_subnet", "network/vpc/private-subnet-")).toHaveLength(3);
      expect(new Set(Object.values(privateEgress(network)).map((e) => e.nat)).size).toBe(3);
    });

    test("tasks run in private subnets without public IPs", () => {
      for (const s of Object.values(resources(platform, "aws_ecs_service")))
        expect(s.network_configuration).toMatchObject({
          assign_public_ip: false,
          subnets: [0, 1, 2].map((i) => expect.stringContaining(`private-subnet-${i}`)),
        });
    });

    test("secrets for sensitive configuration (database credentials, API keys) are created in Secrets Manager", () => {
      const secrets = Object.values(resources(platform, "aws_secretsmanager_secret"));
      expect(secrets.map((s) => s.name).sort()).toEqual([
        "secret-orders-db-credentials-test",
        "secret-orders-exchange-api-keys-test",
      ]);
    });

    test("health checks at both levels: the ALB checks api-gateway, containers check the backends registered in Cloud Map", () => {
      expect(oneOf(platform, "aws_lb_target_group", "api-gateway", "/blue")[1].health_check.enabled).toBe(
        true,
      );
      for (const name of BACKENDS) {
        expect(appContainer(platform, name).container.healthCheck.command).toEqual([
          "CMD-SHELL",
          expect.stringContaining("/health"),
        ]);
        expect(ofService(platform, "aws_lb_target_group", name)).toEqual([]);
      }
    });

    test("resource limits prevent runaway costs: every service has a maximum task count", () => {
      const targets = Object.values(resources(platform, "aws_appautoscaling_target"));
      expect(targets).toHaveLength(3);
      for (const t of targets) expect(t.max_capacity).toBeLessThanOrEqual(12);
    });

    test("resource names include the environment suffix", () => {
      for (const id of ENVIRONMENT_STACKS)
        for (const { at, name } of literalNames(stacks[id]))
          expect(`${at}: ${name}`).toMatch(suffixPattern(at, "orders"));
    });

    test("naming convention {resource-type}-{service-name}-{environmentSuffix}", () => {
      for (const name of SERVICES) {
        expect(service(name).name).toBe(`ecs-svc-${name}-test`);
        expect(oneOf(platform, "aws_iam_role", name, "task-role")[1].name).toBe(
          `role-orders-${name}-task-test`,
        );
      }
      expect(cluster.name).toBe("ecs-cluster-orders-test");
    });

    test("the stack is completely destroyable without manual cleanup", () => {
      expect(destroyBlockers(stacks)).toEqual([]);
    });

    test("all resources are tagged for cost tracking (Environment, Team, CostCenter)", () => {
      for (const stack of Object.values(stacks))
        expect(defaultTags(stack)).toMatchObject({
          Environment: "test",
          Team: "order-management",
          CostCenter: "trading-orders",
        });
    });
  });
});
