/**
 * Conformance of the `trading` blueprint to briefs 003 (CDKTF) and 004 (Pulumi; the stricter
 * one): every requirement line the infrastructure can show, asserted on the synthesized JSON of
 * all stacks. Brief 004 asks for HTTP and HTTPS listeners; HTTPS needs an ACM certificate, which
 * comes from ALB_CERTIFICATE_ARN (docs/decisions.md), so the app is synthesized once, with one.
 */
import "cdktf/lib/testing/adapters/jest";
import {
  afterRelease,
  allowedActions,
  appContainer,
  containersOf,
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
  suffixPattern,
  underPath,
  dashboardMetrics,
} from "../support/find";
import { configFor, Json, resources, synthApp } from "../support/synth";

const CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0f8e1c2a-1111-2222-3333-444455556666";
const SERVICES = ["frontend", "api-gateway", "processing-service"];
const WEB = ["frontend", "api-gateway"];

describe("trading blueprint (briefs 003 + 004)", () => {
  const { stacks } = synthApp(configFor("trading", { ALB_CERTIFICATE_ARN: CERTIFICATE }));
  const { network, registry, platform } = stacks;

  const [albId, alb] = onlyUnder(platform, "aws_lb", "platform/load-balancer/");
  const [albSgId] = onlyUnder(platform, "aws_security_group", "platform/load-balancer/");
  const listener = (port: number): [string, Json] =>
    Object.entries(resources(platform, "aws_lb_listener")).find(([, l]) => l.port === port)!;
  const serviceSg = (name: string) =>
    ref("aws_security_group", oneOf(platform, "aws_security_group", name)[0], "id");
  /** [source, from port] of every ingress rule of a service's security group. */
  const ingressSources = (name: string) =>
    Object.values(resources(platform, "aws_vpc_security_group_ingress_rule"))
      .filter((r) => r.security_group_id === serviceSg(name))
      .map((r) => [r.referenced_security_group_id ?? r.cidr_ipv4, r.from_port])
      .sort();

  describe("network foundation", () => {
    test("VPC spans 3 availability zones with a public and a private subnet in each", () => {
      for (const tier of ["public", "private"]) {
        const subnets = underPath(network, "aws_subnet", `network/vpc/${tier}-subnet-`).map(([, s]) => s);
        expect(subnets.map((s) => s.availability_zone).sort()).toEqual(
          [0, 1, 2].map((i) => expect.stringContaining(`names, ${i})`)),
        );
        for (const s of subnets) expect(s.map_public_ip_on_launch).toBe(false);
      }
    });

    test("an internet gateway is attached and the public route table sends 0.0.0.0/0 to it", () => {
      const [igwId, igw] = onlyUnder(network, "aws_internet_gateway", "network/vpc/");
      const [vpcId] = onlyUnder(network, "aws_vpc", "network/vpc/");
      expect(igw.vpc_id).toBe(ref("aws_vpc", vpcId, "id"));
      const [, route] = onlyUnder(network, "aws_route", "network/vpc/public-default-route");
      expect(route).toMatchObject({
        destination_cidr_block: "0.0.0.0/0",
        gateway_id: ref("aws_internet_gateway", igwId, "id"),
      });
    });

    test("NAT gateways give private subnets outbound connectivity: one per AZ, each private subnet through its own AZ's", () => {
      const egress = Object.values(privateEgress(network));
      expect(egress).toHaveLength(3);
      expect(new Set(egress.map((e) => e.nat)).size).toBe(3);
      expect(egress.map((e) => e.natSubnet).sort()).toEqual(
        underPath(network, "aws_subnet", "network/vpc/public-subnet-")
          .map(([id]) => id)
          .sort(),
      );
    });

    test("container tasks run in private subnets with no public IP (backend services cannot be reached from the internet)", () => {
      const services = Object.values(resources(platform, "aws_ecs_service"));
      expect(services).toHaveLength(3);
      for (const s of services) {
        expect(s.network_configuration.assign_public_ip).toBe(false);
        expect(s.network_configuration.subnets).toEqual(
          [0, 1, 2].map((i) => expect.stringContaining(`private-subnet-${i}`)),
        );
      }
    });

    test("VPC flow logs capture all traffic of the VPC into a log group kept 30 days", () => {
      const [, flowLog] = onlyUnder(network, "aws_flow_log", "network/vpc/");
      const [vpcId] = onlyUnder(network, "aws_vpc", "network/vpc/");
      const [groupId, group] = onlyUnder(network, "aws_cloudwatch_log_group", "network/vpc/flow-log-group");
      expect(flowLog).toMatchObject({
        vpc_id: ref("aws_vpc", vpcId, "id"),
        traffic_type: "ALL",
        log_destination_type: "cloud-watch-logs",
        log_destination: ref("aws_cloudwatch_log_group", groupId, "arn"),
      });
      expect(group.retention_in_days).toBe(30);
    });
  });

  describe("container registry", () => {
    const repositories = Object.values(resources(registry, "aws_ecr_repository"));

    test("ECR repositories for frontend, api-gateway and processing-service", () => {
      expect(repositories.map((r) => r.name).sort()).toEqual(
        SERVICES.map((s) => `ecr-repo-trading-${s}-test`).sort(),
      );
    });

    test("tag immutability is enabled", () => {
      for (const r of repositories) expect(r.image_tag_mutability).toBe("IMMUTABLE");
    });

    test("private repositories scan images on push", () => {
      for (const r of repositories) expect(r.image_scanning_configuration).toEqual({ scan_on_push: true });
    });

    test("lifecycle policies manage image retention: untagged images expire, the last 10 are kept", () => {
      const policies = Object.values(resources(registry, "aws_ecr_lifecycle_policy"));
      expect(policies).toHaveLength(3);
      for (const p of policies) {
        const selections = JSON.parse(p.policy).rules.map((r: Json) => r.selection);
        expect(selections).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ tagStatus: "untagged" }),
            expect.objectContaining({ tagStatus: "any", countType: "imageCountMoreThan", countNumber: 10 }),
          ]),
        );
      }
    });

    test("task definitions take their images from the service's private ECR repository", () => {
      for (const name of SERVICES) {
        expect(imageOf(platform, name)).toMatch(
          new RegExp(`\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/ecr-repo-trading-${name}-test:bootstrap$`),
        );
      }
    });
  });

  describe("ECS cluster", () => {
    test("the cluster has Fargate and Fargate Spot capacity providers with strategy weights", () => {
      const [clusterId] = onlyUnder(platform, "aws_ecs_cluster", "platform/cluster/");
      const [, providers] = onlyUnder(platform, "aws_ecs_cluster_capacity_providers", "platform/cluster/");
      expect(providers.cluster_name).toBe(ref("aws_ecs_cluster", clusterId, "name"));
      expect(providers.capacity_providers.sort()).toEqual(["FARGATE", "FARGATE_SPOT"]);
      expect(providers.default_capacity_provider_strategy).toEqual([
        { capacity_provider: "FARGATE", base: 2, weight: 1 },
        { capacity_provider: "FARGATE_SPOT", base: 0, weight: 1 },
      ]);
    });

    test("CloudWatch metrics for monitoring: Container Insights is on", () => {
      const [, cluster] = onlyUnder(platform, "aws_ecs_cluster", "platform/cluster/");
      expect(cluster.setting).toEqual([{ name: "containerInsights", value: "enhanced" }]);
    });
  });

  describe("task definitions and services", () => {
    test.each([
      ["frontend", 512, 1024],
      ["api-gateway", 1024, 2048],
      ["processing-service", 2048, 4096],
    ])("%s service: %i CPU units, %i MB memory, in its own Fargate task definition", (name, cpu, memory) => {
      const { taskDefinition } = appContainer(platform, name);
      expect(taskDefinition).toMatchObject({
        cpu: String(cpu),
        memory: String(memory),
        family: `task-trading-${name}-test`,
        requires_compatibilities: ["FARGATE"],
        network_mode: "awsvpc",
      });
      const [taskDefinitionId] = oneOf(platform, "aws_ecs_task_definition", name);
      expect(oneOf(platform, "aws_ecs_service", name)[1].task_definition).toBe(
        ref("aws_ecs_task_definition", taskDefinitionId, "arn"),
      );
    });

    test("environment variables are configured for each service", () => {
      const value = (name: string, variable: string) =>
        appContainer(platform, name).container.environment.find((e: Json) => e.name === variable)?.value;
      expect(value("frontend", "NODE_ENV")).toBe("production");
      expect(value("api-gateway", "LOG_LEVEL")).toBe("info");
      expect(value("processing-service", "LOG_LEVEL")).toBe("info");
    });

    test("ECS services have a desired count of 2 once released (0 before the first release)", () => {
      for (const name of SERVICES)
        expect(oneOf(platform, "aws_ecs_service", name)[1].desired_count).toBe(
          afterRelease(platform, name, 2),
        );
    });

    test("auto-scaling on CPU utilization with min 2 and max 10 tasks per service", () => {
      for (const name of SERVICES) {
        const [targetId, target] = oneOf(platform, "aws_appautoscaling_target", name);
        const [serviceId] = oneOf(platform, "aws_ecs_service", name);
        expect(target).toMatchObject({
          min_capacity: afterRelease(platform, name, 2),
          max_capacity: 10,
          scalable_dimension: "ecs:service:DesiredCount",
        });
        expect(target.resource_id).toContain(ref("aws_ecs_service", serviceId, "name"));
        const cpu = scalingPolicy(platform, name, "cpu-policy");
        expect(cpu.resource_id).toBe(ref("aws_appautoscaling_target", targetId, "resource_id"));
        expect(cpu.target_tracking_scaling_policy_configuration).toMatchObject({
          predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
          target_value: 70,
        });
      }
    });

    test("health check grace periods are configured for each service: 60 s frontend, 90 s api-gateway, 120 s processing-service", () => {
      expect(oneOf(platform, "aws_ecs_service", "frontend")[1].health_check_grace_period_seconds).toBe(60);
      expect(oneOf(platform, "aws_ecs_service", "api-gateway")[1].health_check_grace_period_seconds).toBe(90);
      // No load balancer in front of processing-service: its grace period is the container health check's start period.
      expect(appContainer(platform, "processing-service").container.healthCheck.startPeriod).toBe(120);
    });

    test("health checks have thresholds specific to each service type", () => {
      const health = (name: string) => oneOf(platform, "aws_lb_target_group", name, "/blue")[1].health_check;
      expect(health("frontend")).toMatchObject({
        path: "/",
        interval: 30,
        healthy_threshold: 2,
        unhealthy_threshold: 3,
      });
      expect(health("api-gateway")).toMatchObject({
        path: "/api/health",
        interval: 15,
        healthy_threshold: 2,
        unhealthy_threshold: 2,
      });
      expect(appContainer(platform, "processing-service").container.healthCheck).toMatchObject({
        command: ["CMD-SHELL", expect.stringContaining("localhost:9090/health")],
        interval: 30,
        retries: 3,
      });
    });
  });

  describe("load balancing", () => {
    test("the Application Load Balancer is internet-facing in the public subnets", () => {
      expect(alb).toMatchObject({ load_balancer_type: "application", internal: false });
      expect(alb.subnets).toEqual([0, 1, 2].map((i) => expect.stringContaining(`public-subnet-${i}`)));
      expect(alb.security_groups).toEqual([ref("aws_security_group", albSgId, "id")]);
    });

    test("target groups for frontend and api-gateway (blue and green, IP targets), none for processing-service", () => {
      for (const name of WEB) {
        for (const color of ["blue", "green"])
          expect(oneOf(platform, "aws_lb_target_group", name, `/${color}`)[1]).toMatchObject({
            name: expect.stringMatching(new RegExp(`^tg-trading-${color}-[a-z0-9-]*[0-9a-f]{4,6}-test$`)),
            target_type: "ip",
            port: 8080,
          });
      }
      expect(ofService(platform, "aws_lb_target_group", "processing-service")).toEqual([]);
    });

    test("HTTP/HTTPS listeners: HTTPS on 443 with the certificate and a TLS 1.3 policy, HTTP on 80 redirects to it", () => {
      expect(listener(443)[1]).toMatchObject({
        protocol: "HTTPS",
        certificate_arn: CERTIFICATE,
        ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        load_balancer_arn: ref("aws_lb", albId, "arn"),
      });
      expect(listener(80)[1]).toMatchObject({
        protocol: "HTTP",
        default_action: [
          { type: "redirect", redirect: { port: "443", protocol: "HTTPS", status_code: "HTTP_301" } },
        ],
      });
    });

    test("listeners route /api/* to api-gateway ahead of /* to frontend", () => {
      const rule = (name: string) => oneOf(platform, "aws_lb_listener_rule", name, "production-rule")[1];
      const [httpsId] = listener(443);
      for (const name of WEB) {
        expect(rule(name).listener_arn).toBe(ref("aws_lb_listener", httpsId, "arn"));
        expect(rule(name).action[0].target_group_arn).toBe(
          ref("aws_lb_target_group", oneOf(platform, "aws_lb_target_group", name, "/blue")[0], "arn"),
        );
      }
      expect(rule("api-gateway").condition).toEqual([{ path_pattern: { values: ["/api/*"] } }]);
      expect(rule("frontend").condition).toEqual([{ path_pattern: { values: ["/*"] } }]);
      expect(rule("api-gateway").priority).toBeLessThan(rule("frontend").priority);
    });

    test("cross-zone load balancing is enabled (always on for an ALB; no target group turns it off)", () => {
      for (const tg of Object.values(resources(platform, "aws_lb_target_group")))
        expect(tg.load_balancing_cross_zone_enabled ?? "use_load_balancer_configuration").not.toBe("false");
    });
  });

  describe("service discovery", () => {
    const [namespaceId, namespace] = onlyUnder(
      platform,
      "aws_service_discovery_private_dns_namespace",
      "platform/namespace/",
    );

    test("a Cloud Map private DNS namespace in the VPC for internal service communication", () => {
      expect(namespace.name).toBe("test.trading.internal");
      expect(namespace.vpc).toContain("vpc");
    });

    test("a service discovery service is registered for each rolling ECS service (blue/green ones have none)", () => {
      for (const name of WEB) {
        expect(ofService(platform, "aws_service_discovery_service", name)).toEqual([]);
        expect(oneOf(platform, "aws_ecs_service", name)[1].service_registries).toBeUndefined();
      }
      for (const name of SERVICES.filter((s) => !WEB.includes(s))) {
        const [discoveryId, discovery] = oneOf(platform, "aws_service_discovery_service", name);
        expect(discovery.dns_config.namespace_id).toBe(
          ref("aws_service_discovery_private_dns_namespace", namespaceId, "id"),
        );
        expect(discovery.dns_config.dns_records).toEqual([expect.objectContaining({ type: "A" })]);
        expect(oneOf(platform, "aws_ecs_service", name)[1].service_registries).toEqual({
          registry_arn: ref("aws_service_discovery_service", discoveryId, "arn"),
        });
      }
    });

    test("backend services are reached by their Cloud Map DNS names, blue/green ones through the ALB's production listener", () => {
      const env = (name: string) => appContainer(platform, name).container.environment as Json[];
      expect(env("frontend")).toContainEqual({
        name: "API_GATEWAY_URL",
        value: `https://${ref("aws_lb", albId, "dns_name")}`,
      });
      expect(env("api-gateway")).toContainEqual({
        name: "PROCESSING_SERVICE_URL",
        value: "http://processing-service-test.test.trading.internal:9090",
      });
    });
  });

  describe("IAM", () => {
    test("separate task and execution roles for each service", () => {
      const roles = SERVICES.flatMap((name) => {
        const { taskDefinition } = appContainer(platform, name);
        const [taskRoleId] = oneOf(platform, "aws_iam_role", name, "task-role");
        const [executionRoleId] = oneOf(platform, "aws_iam_role", name, "execution-role");
        expect(taskDefinition.task_role_arn).toBe(ref("aws_iam_role", taskRoleId, "arn"));
        expect(taskDefinition.execution_role_arn).toBe(ref("aws_iam_role", executionRoleId, "arn"));
        return [taskRoleId, executionRoleId];
      });
      expect(new Set(roles).size).toBe(6);
    });

    test("execution roles pull only their own ECR image and fetch only their own secrets", () => {
      expect(resourcesFor(platform, "api-gateway", "execution-policy", "ecr:BatchGetImage")).toEqual([
        expect.stringMatching(/:repository\/ecr-repo-trading-api-gateway-test$/),
      ]);
      expect(
        resourcesFor(platform, "api-gateway", "execution-policy", "secretsmanager:GetSecretValue"),
      ).toEqual([expect.stringContaining("aws_secretsmanager_secret.secrets_api-keys_")]);
      expect(
        resourcesFor(platform, "processing-service", "execution-policy", "secretsmanager:GetSecretValue"),
      ).toEqual([expect.stringContaining("aws_secretsmanager_secret.secrets_db-credentials_")]);
      expect(allowedActions(platform, "frontend", "execution-policy")).not.toContain(
        "secretsmanager:GetSecretValue",
      );
    });

    test("policies allow CloudWatch Logs access to the service's own log group", () => {
      for (const name of SERVICES)
        expect(resourcesFor(platform, name, "execution-policy", "logs:PutLogEvents")).toEqual([
          expect.stringMatching(new RegExp(`:log-group:/ecs/trading-${name}-test:\\*$`)),
          expect.stringMatching(new RegExp(`:log-group:/ecs/sidecars/trading-${name}-test:\\*$`)),
        ]);
    });
  });

  describe("logging and monitoring", () => {
    test("every service that receives traffic has latency p50/p90/p99 and its 2xx-5xx distribution", () => {
      for (const name of SERVICES) {
        const drawn = dashboardMetrics(stacks.observability, `dashboard-trading-${name}-test`);
        // Web services from the ALB, the internal backend (no mesh) from its JSON request logs.
        const latency = drawn.filter((m) => /TargetResponseTime|RequestDuration/.test(m.metric));
        expect([...new Set(latency.map((m) => m.stat))]).toEqual(["p50", "p90", "p99"]);
        const classes = drawn
          .map((m) => /(?:HTTPCode_Target_|Responses)(\dXX)/.exec(m.metric)?.[1])
          .filter((c) => c !== undefined);
        expect([...new Set(classes)].sort()).toEqual(["2XX", "3XX", "4XX", "5XX"]);
      }
    });

    test("a CloudWatch log group per service with 30-day retention", () => {
      for (const name of SERVICES)
        expect(oneOf(platform, "aws_cloudwatch_log_group", name, "task/logs")[1]).toMatchObject({
          name: `/ecs/trading-${name}-test`,
          retention_in_days: 30,
        });
    });

    test("container logging drivers stream to the service's log group with a per-container stream prefix", () => {
      for (const name of SERVICES) {
        const [groupId] = oneOf(platform, "aws_cloudwatch_log_group", name, "task/logs");
        const [sidecarGroupId] = oneOf(platform, "aws_cloudwatch_log_group", name, "task/sidecar-logs");
        for (const c of containersOf(oneOf(platform, "aws_ecs_task_definition", name)[1]))
          expect(c.logConfiguration).toMatchObject({
            logDriver: "awslogs",
            options: {
              // The app alone in its group (its error filter counts only its lines).
              "awslogs-group": ref(
                "aws_cloudwatch_log_group",
                c.name === name ? groupId : sidecarGroupId,
                "name",
              ),
              "awslogs-region": "us-east-1",
              "awslogs-stream-prefix": c.name,
            },
          });
      }
    });
  });

  describe("secrets management", () => {
    test("Secrets Manager secrets for database credentials and API keys, encrypted with the platform key", () => {
      const secrets = Object.values(resources(platform, "aws_secretsmanager_secret"));
      expect(secrets.map((s) => s.name).sort()).toEqual([
        "secret-trading-api-keys-test",
        "secret-trading-db-credentials-test",
      ]);
      for (const s of secrets) expect(s.kms_key_id).toMatch(/^\$\{aws_kms_key\.kms_key_[^.]+\.arn\}$/);
    });

    test("task definitions reference secrets securely, never as plain environment values", () => {
      const { container } = appContainer(platform, "processing-service");
      const [secretId] = onlyUnder(platform, "aws_secretsmanager_secret", "platform/secrets/db-credentials");
      expect(container.secrets).toEqual([
        { name: "DB_PASSWORD", valueFrom: `${ref("aws_secretsmanager_secret", secretId, "arn")}:password::` },
        { name: "DB_USERNAME", valueFrom: `${ref("aws_secretsmanager_secret", secretId, "arn")}:username::` },
      ]);
      for (const name of SERVICES) {
        const envNames = (appContainer(platform, name).container.environment as Json[]).map((e) => e.name);
        expect(envNames).not.toEqual(
          expect.arrayContaining([expect.stringMatching(/PASSWORD|API_KEYS|USERNAME/)]),
        );
      }
    });
  });

  describe("security groups", () => {
    test("the ALB security group admits internet traffic on ports 80 and 443", () => {
      const open = Object.values(resources(platform, "aws_vpc_security_group_ingress_rule"))
        .filter(
          (r) =>
            r.security_group_id === ref("aws_security_group", albSgId, "id") && r.cidr_ipv4 === "0.0.0.0/0",
        )
        .map((r) => r.from_port)
        .sort();
      expect(open).toEqual([443, 80]);
    });

    test("frontend containers accept traffic only from the ALB", () => {
      expect(ingressSources("frontend")).toEqual([[ref("aws_security_group", albSgId, "id"), 8080]]);
    });

    test("api-gateway containers accept traffic only from the ALB (frontend calls it through the ALB too), no CIDR", () => {
      expect(ingressSources("api-gateway")).toEqual([[ref("aws_security_group", albSgId, "id"), 8080]]);
    });

    test("processing-service containers are isolated from public traffic: only api-gateway reaches them", () => {
      expect(ingressSources("processing-service")).toEqual([[serviceSg("api-gateway"), 9090]]);
    });
  });

  describe("deployments", () => {
    test("blue-green deployment with traffic shifting through the ALB target groups (CodeDeploy)", () => {
      const [httpsId] = listener(443);
      const [testId] = listener(8443);
      for (const name of WEB) {
        const [, group] = oneOf(platform, "aws_codedeploy_deployment_group", name);
        const pair = group.load_balancer_info.target_group_pair_info;
        expect(group.deployment_style).toEqual({
          deployment_option: "WITH_TRAFFIC_CONTROL",
          deployment_type: "BLUE_GREEN",
        });
        expect(pair.target_group.map((t: Json) => t.name)).toEqual(
          ["/blue", "/green"].map((c) =>
            ref("aws_lb_target_group", oneOf(platform, "aws_lb_target_group", name, c)[0], "name"),
          ),
        );
        expect(pair.prod_traffic_route.listener_arns).toEqual([ref("aws_lb_listener", httpsId, "arn")]);
        expect(pair.test_traffic_route.listener_arns).toEqual([ref("aws_lb_listener", testId, "arn")]);
        expect(oneOf(platform, "aws_ecs_service", name)[1].deployment_controller).toEqual({
          type: "CODE_DEPLOY",
        });
      }
      expect(
        oneOf(platform, "aws_codedeploy_deployment_group", "api-gateway")[1].deployment_config_name,
      ).toBe("CodeDeployDefault.ECSCanary10Percent5Minutes");
    });

    test("zero-downtime rolling updates for processing-service: 100% healthy minimum, circuit breaker with rollback", () => {
      expect(oneOf(platform, "aws_ecs_service", "processing-service")[1]).toMatchObject({
        deployment_controller: { type: "ECS" },
        deployment_minimum_healthy_percent: 100,
        deployment_maximum_percent: 200,
        deployment_circuit_breaker: { enable: true, rollback: true },
      });
    });
  });

  describe("stack outputs", () => {
    test("ALB DNS name for accessing the public-facing services", () => {
      expect(platform.output.alb_dns_name.value).toBe(ref("aws_lb", albId, "dns_name"));
    });

    test("service ARNs for all three ECS services", () => {
      expect(platform.output.service_arns.value).toEqual(
        Object.fromEntries(
          SERVICES.map((n) => [n, ref("aws_ecs_service", oneOf(platform, "aws_ecs_service", n)[0], "id")]),
        ),
      );
    });

    test("cluster name and ARN", () => {
      const [clusterId] = onlyUnder(platform, "aws_ecs_cluster", "platform/cluster/");
      expect(platform.output.cluster_name.value).toBe(ref("aws_ecs_cluster", clusterId, "name"));
      expect(platform.output.cluster_arn.value).toBe(ref("aws_ecs_cluster", clusterId, "arn"));
    });

    test("VPC ID and subnet IDs for integration with other stacks", () => {
      const [vpcId] = onlyUnder(network, "aws_vpc", "network/vpc/");
      expect(network.output.vpc_id.value).toBe(ref("aws_vpc", vpcId, "id"));
      for (const tier of ["public", "private"])
        expect(network.output[`${tier}_subnet_ids`].value).toEqual(
          underPath(network, "aws_subnet", `network/vpc/${tier}-subnet-`).map(([id]) =>
            ref("aws_subnet", id, "id"),
          ),
        );
    });

    test("ECR repository URLs for CI/CD integration", () => {
      const urls = registry.output.repository_urls.value as Record<string, string>;
      expect(Object.keys(urls).sort()).toEqual([...SERVICES].sort());
      for (const name of SERVICES)
        expect(urls[name]).toMatch(
          new RegExp(`^\\$\\{aws_ecr_repository\\.ecr-${name}_repository_[^.]+\\.repository_url\\}$`),
        );
    });
  });

  describe("technical and deployment requirements", () => {
    test("deploys to us-east-1", () => {
      for (const stack of Object.values(stacks)) expect(stack.provider.aws[0].region).toBe("us-east-1");
    });

    test("every resource name includes the environment suffix", () => {
      for (const id of ENVIRONMENT_STACKS)
        for (const { at, name } of literalNames(stacks[id]))
          expect(`${at}: ${name}`).toMatch(suffixPattern(at, "trading"));
    });

    test("names follow {resource-type}-{service-name}-{environmentSuffix}", () => {
      for (const name of SERVICES) {
        expect(oneOf(platform, "aws_ecs_service", name)[1].name).toBe(`ecs-svc-${name}-test`);
        expect(oneOf(platform, "aws_security_group", name)[1].name).toBe(`secgroup-${name}-test`);
      }
      expect(onlyUnder(platform, "aws_ecs_cluster", "platform/cluster/")[1].name).toBe(
        "ecs-cluster-trading-test",
      );
      expect(alb.name).toBe("alb-trading-test");
    });

    test("all resources are destroyable: no deletion protection, no retain, nothing left behind", () => {
      expect(destroyBlockers(stacks)).toEqual([]);
    });

    test("every stack tags its resources with Environment, Team and CostCenter", () => {
      for (const stack of Object.values(stacks))
        expect(defaultTags(stack)).toMatchObject({
          Environment: "test",
          Team: "trading-platform",
          CostCenter: "trading",
        });
    });
  });
});
