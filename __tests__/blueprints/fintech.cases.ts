/**
 * Conformance of the `fintech` blueprint to brief 002 (fintech transactions: three
 * microservices on Fargate Spot, a service mesh with mTLS): every requirement line the
 * infrastructure can show, asserted on the synthesized JSON of all stacks, synthesized once.
 * AWS App Mesh reached end of support on 2026-09-30; the mesh is ECS Service Connect with TLS
 * from an AWS Private CA (docs/decisions.md), and Service Connect requires the ECS deployment
 * controller, so "blue-green using the ECS deployment circuit breaker" is a rolling deployment
 * with the circuit breaker and rollback.
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
  oneOf,
  onlyUnder,
  privateEgress,
  ref,
  resourcesFor,
  scalingPolicy,
  suffixPattern,
  underPath,
} from "../support/find";
import { configFor, Json, resources, synthApp } from "../support/synth";

const SERVICES = ["payments-api", "transactions", "accounts"];
const ROUTES: Record<string, string[]> = {
  "payments-api": ["/payments", "/payments/*"],
  transactions: ["/transactions", "/transactions/*"],
  accounts: ["/accounts", "/accounts/*"],
};

describe("fintech blueprint (brief 002)", () => {
  const { stacks } = synthApp(configFor("fintech"));
  const { network, registry, platform, observability } = stacks;

  const [clusterId, cluster] = onlyUnder(platform, "aws_ecs_cluster", "platform/cluster/");
  const [namespaceId, namespace] = onlyUnder(
    platform,
    "aws_service_discovery_private_dns_namespace",
    "platform/namespace/",
  );
  const [kmsId] = onlyUnder(platform, "aws_kms_key", "platform/kms/");
  const [caId, ca] = onlyUnder(platform, "aws_acmpca_certificate_authority", "platform/service-connect-ca/");
  const [dbId, db] = onlyUnder(platform, "aws_rds_cluster", "platform/database/");
  const service = (name: string) => oneOf(platform, "aws_ecs_service", name)[1];
  const serviceSg = (name: string) =>
    ref("aws_security_group", oneOf(platform, "aws_security_group", name)[0], "id");

  describe("1. ECS cluster configuration", () => {
    test("the cluster has Fargate and Fargate Spot capacity providers", () => {
      const [, providers] = onlyUnder(platform, "aws_ecs_cluster_capacity_providers", "platform/cluster/");
      expect(providers.cluster_name).toBe(ref("aws_ecs_cluster", clusterId, "name"));
      expect(providers.capacity_providers.sort()).toEqual(["FARGATE", "FARGATE_SPOT"]);
    });

    test("each service runs a minimum of 2 tasks, on Fargate Spot", () => {
      for (const name of SERVICES) {
        expect(service(name).capacity_provider_strategy).toEqual([
          { capacity_provider: "FARGATE_SPOT", base: 2, weight: 1 },
        ]);
        expect(service(name).desired_count).toBe(afterRelease(platform, name, 2));
        expect(oneOf(platform, "aws_appautoscaling_target", name)[1].min_capacity).toBe(
          afterRelease(platform, name, 2),
        );
      }
    });

    test("CloudWatch Container Insights is enabled for cluster-level monitoring", () => {
      expect(cluster.setting).toEqual([{ name: "containerInsights", value: "enhanced" }]);
    });

    test("deployed across 3 availability zones: tasks in 3 private subnets, the ALB in 3 public ones", () => {
      for (const name of SERVICES)
        expect(service(name).network_configuration).toMatchObject({
          assign_public_ip: false,
          subnets: [0, 1, 2].map((i) => expect.stringContaining(`private-subnet-${i}`)),
        });
      expect(
        underPath(network, "aws_subnet", "network/vpc/private-subnet-").map(([, s]) => s.availability_zone),
      ).toEqual([0, 1, 2].map((i) => expect.stringContaining(`names, ${i})`)));
    });
  });

  describe("2. service mesh (ECS Service Connect, the App Mesh replacement)", () => {
    test("the mesh covers the 3 microservices: each joins Service Connect on the Cloud Map namespace with a DNS alias", () => {
      expect(cluster.service_connect_defaults).toEqual({
        namespace: ref("aws_service_discovery_private_dns_namespace", namespaceId, "arn"),
      });
      for (const name of SERVICES) {
        const mesh = service(name).service_connect_configuration;
        expect(mesh).toMatchObject({
          enabled: true,
          namespace: ref("aws_service_discovery_private_dns_namespace", namespaceId, "arn"),
        });
        expect(mesh.service).toEqual([
          expect.objectContaining({
            port_name: name,
            discovery_name: `${name}-test`,
            client_alias: expect.objectContaining({
              dns_name: `${name}-test.test.fintech.internal`,
              port: 8080,
            }),
          }),
        ]);
        expect(appContainer(platform, name).container.portMappings).toEqual([
          expect.objectContaining({ name, appProtocol: "http" }),
        ]);
      }
    });

    test("service-to-service traffic is encrypted with TLS certificates from the platform's Private CA", () => {
      const [tlsRoleId] = onlyUnder(platform, "aws_iam_role", "platform/service-connect-ca/tls-role");
      // Its own key: the TLS role cannot use the key of the database secret, queues and logs.
      const [tlsKeyId] = onlyUnder(platform, "aws_kms_key", "platform/service-connect-tls-key/");
      expect(tlsKeyId).not.toBe(kmsId);
      for (const name of SERVICES)
        expect(service(name).service_connect_configuration.service[0].tls).toEqual({
          issuer_cert_authority: {
            aws_pca_authority_arn: ref("aws_acmpca_certificate_authority", caId, "arn"),
          },
          kms_key: ref("aws_kms_key", tlsKeyId, "arn"),
          role_arn: ref("aws_iam_role", tlsRoleId, "arn"),
        });
    });

    test("the Private CA issues short-lived certificates, is active before services start and is deletable", () => {
      expect(ca).toMatchObject({
        type: "ROOT",
        usage_mode: "SHORT_LIVED_CERTIFICATE",
        permanent_deletion_time_in_days: 7,
      });
      const [installedId] = onlyUnder(
        platform,
        "aws_acmpca_certificate_authority_certificate",
        "platform/service-connect-ca/",
      );
      for (const name of SERVICES)
        expect(service(name).depends_on).toContain(
          `aws_acmpca_certificate_authority_certificate.${installedId}`,
        );
    });

    test("services call each other through the mesh only: each callee admits exactly its callers", () => {
      const [albSgId] = onlyUnder(platform, "aws_security_group", "platform/load-balancer/");
      const sources = (name: string) =>
        Object.values(resources(platform, "aws_vpc_security_group_ingress_rule"))
          .filter((r) => r.security_group_id === serviceSg(name))
          .map((r) => r.referenced_security_group_id ?? r.cidr_ipv4)
          .sort();
      const alb = ref("aws_security_group", albSgId, "id");
      expect(sources("payments-api")).toEqual([alb]);
      expect(sources("transactions")).toEqual([alb, serviceSg("payments-api")].sort());
      expect(sources("accounts")).toEqual([alb, serviceSg("transactions")].sort());
    });
  });

  describe("3. load balancing and routing", () => {
    test("an Application Load Balancer in the public subnets with its own security group", () => {
      const [, alb] = onlyUnder(platform, "aws_lb", "platform/load-balancer/");
      const [albSgId] = onlyUnder(platform, "aws_security_group", "platform/load-balancer/");
      expect(alb).toMatchObject({
        load_balancer_type: "application",
        internal: false,
        security_groups: [ref("aws_security_group", albSgId, "id")],
      });
      expect(alb.subnets).toEqual([0, 1, 2].map((i) => expect.stringContaining(`public-subnet-${i}`)));
    });

    test("path-based routing to the different services", () => {
      for (const name of SERVICES) {
        const [, rule] = oneOf(platform, "aws_lb_listener_rule", name, "production-rule");
        expect(rule.condition).toEqual([{ path_pattern: { values: ROUTES[name] } }]);
        // All of production on blue until ECS-native blue/green moves the weights.
        expect(rule.action[0].forward.target_group).toEqual([
          {
            arn: ref("aws_lb_target_group", oneOf(platform, "aws_lb_target_group", name, "/blue")[0], "arn"),
            weight: 100,
          },
          {
            arn: ref("aws_lb_target_group", oneOf(platform, "aws_lb_target_group", name, "/green")[0], "arn"),
            weight: 0,
          },
        ]);
      }
    });

    test("dedicated target groups per service with health checks every 10 seconds", () => {
      const targetGroups = SERVICES.map((name) => oneOf(platform, "aws_lb_target_group", name, "/blue"));
      expect(new Set(targetGroups.map(([id]) => id)).size).toBe(3);
      for (const [, tg] of targetGroups)
        expect(tg.health_check).toMatchObject({ enabled: true, path: "/health", interval: 10 });
      for (const name of SERVICES)
        expect(service(name).load_balancer).toEqual([
          expect.objectContaining({
            target_group_arn: ref(
              "aws_lb_target_group",
              oneOf(platform, "aws_lb_target_group", name, "/blue")[0],
              "arn",
            ),
          }),
        ]);
    });
  });

  describe("4. container registry", () => {
    const repositories = Object.values(resources(registry, "aws_ecr_repository"));

    test("private ECR repositories for the container images", () => {
      expect(repositories.map((r) => r.name).sort()).toEqual(
        SERVICES.map((s) => `ecr-repo-fintech-${s}-test`).sort(),
      );
      for (const name of SERVICES)
        expect(imageOf(platform, name)).toMatch(
          new RegExp(`\\.dkr\\.ecr\\.us-east-1\\.amazonaws\\.com/ecr-repo-fintech-${name}-test:bootstrap$`),
        );
    });

    test("vulnerability scanning is enabled on image push", () => {
      for (const r of repositories) expect(r.image_scanning_configuration).toEqual({ scan_on_push: true });
    });

    test("lifecycle policies retain only the last 10 images per repository", () => {
      const policies = Object.values(resources(registry, "aws_ecr_lifecycle_policy"));
      expect(policies).toHaveLength(3);
      for (const p of policies)
        expect(JSON.parse(p.policy).rules).toContainEqual(
          expect.objectContaining({
            selection: expect.objectContaining({
              tagStatus: "any",
              countType: "imageCountMoreThan",
              countNumber: 10,
            }),
          }),
        );
    });
  });

  describe("5. deployment strategy", () => {
    test("blue/green deployments under the ECS controller (Service Connect allows no other), with the circuit breaker", () => {
      for (const name of SERVICES) {
        expect(service(name).deployment_controller).toEqual({ type: "ECS" });
        expect(service(name).deployment_configuration).toEqual({
          strategy: "BLUE_GREEN",
          bake_time_in_minutes: "10",
        });
        expect(service(name).deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
        expect(service(name).service_connect_configuration.service[0].tls).toBeDefined();
        // Pre-traffic checks inside the mesh reach green with the test header.
        expect(
          service(name).service_connect_configuration.service[0].client_alias.test_traffic_rules,
        ).toEqual([{ header: { name: "x-blue-green-test", value: { exact: "green" } } }]);
      }
    });

    test("green is validated behind the test listener rule before ECS shifts production, with its own role", () => {
      for (const name of SERVICES) {
        const rule = (which: string) =>
          ref("aws_lb_listener_rule", oneOf(platform, "aws_lb_listener_rule", name, which)[0], "arn");
        expect(service(name).load_balancer[0].advanced_configuration).toEqual({
          alternate_target_group_arn: ref(
            "aws_lb_target_group",
            oneOf(platform, "aws_lb_target_group", name, "/green")[0],
            "arn",
          ),
          production_listener_rule: rule("production-rule"),
          test_listener_rule: rule("test-rule"),
          role_arn: ref(
            "aws_iam_role",
            oneOf(platform, "aws_iam_role", name, "infrastructure-role")[0],
            "arn",
          ),
        });
      }
    });

    test("automatic rollback on the app's error logs, mesh 5xx (services called over the mesh) and either target group's 5xx and unhealthy hosts (never on load)", () => {
      for (const name of SERVICES) {
        const kinds = [
          "rollback-log-errors",
          // payments-api has no caller inside the mesh: no series to watch.
          ...(name === "payments-api" ? [] : ["rollback-mesh-5xx"]),
          "blue-5xx",
          "blue-unhealthy",
          "green-5xx",
          "green-unhealthy",
        ];
        expect(service(name).alarms).toEqual({
          enable: true,
          rollback: true,
          alarm_names: kinds.map((k) =>
            ref(
              "aws_cloudwatch_metric_alarm",
              oneOf(platform, "aws_cloudwatch_metric_alarm", name, k)[0],
              "alarm_name",
            ),
          ),
        });
      }
    });

    test("independent deployment lifecycles: each microservice has its own service and task definition family", () => {
      const families = SERVICES.map((name) => oneOf(platform, "aws_ecs_task_definition", name)[1].family);
      expect(families).toEqual(SERVICES.map((name) => `task-fintech-${name}-test`));
      for (const name of SERVICES)
        expect(service(name).task_definition).toBe(
          ref("aws_ecs_task_definition", oneOf(platform, "aws_ecs_task_definition", name)[0], "arn"),
        );
    });
  });

  describe("6. task configuration", () => {
    test("task definitions with 1 vCPU and 2 GB memory per service", () => {
      for (const name of SERVICES)
        expect(oneOf(platform, "aws_ecs_task_definition", name)[1]).toMatchObject({
          cpu: "1024",
          memory: "2048",
          requires_compatibilities: ["FARGATE"],
        });
    });

    test("least-privilege task roles for DynamoDB: each service reaches only its own tables", () => {
      const tables: Record<string, string> = {
        "payments-api": "payment-intents",
        transactions: "transaction-ledger",
        accounts: "account-balances",
      };
      for (const name of SERVICES)
        expect(resourcesFor(platform, name, "task-policy", "dynamodb:PutItem")).toEqual([
          expect.stringMatching(new RegExp(`:table/${tables[name]}$`)),
          expect.stringMatching(new RegExp(`:table/${tables[name]}/index/\\*$`)),
        ]);
    });

    test("least-privilege task roles for S3: only transactions writes its statements bucket", () => {
      expect(resourcesFor(platform, "transactions", "task-policy", "s3:PutObject")).toEqual([
        "arn:${data.aws_partition.partition.partition}:s3:::transaction-statements/*",
      ]);
      for (const name of ["payments-api", "accounts"])
        expect(allowedActions(platform, name, "task-policy").some((a) => a.startsWith("s3:"))).toBe(false);
    });

    test("container logs go to CloudWatch Logs, encrypted with the customer-managed KMS key", () => {
      const [, key] = onlyUnder(platform, "aws_kms_key", "platform/kms/");
      expect(key.enable_key_rotation).toBe(true);
      for (const name of SERVICES) {
        const [groupId, group] = oneOf(platform, "aws_cloudwatch_log_group", name, "task/logs");
        const [sidecarGroupId, sidecarGroup] = oneOf(
          platform,
          "aws_cloudwatch_log_group",
          name,
          "task/sidecar-logs",
        );
        const [, metricsGroup] = oneOf(platform, "aws_cloudwatch_log_group", name, "task/metrics-logs");
        for (const g of [group, sidecarGroup, metricsGroup])
          expect(g.kms_key_id).toBe(ref("aws_kms_key", kmsId, "arn"));
        for (const c of containersOf(oneOf(platform, "aws_ecs_task_definition", name)[1]))
          expect(c.logConfiguration.options["awslogs-group"]).toBe(
            ref("aws_cloudwatch_log_group", c.name === name ? groupId : sidecarGroupId, "name"),
          );
      }
    });

    test("the key policy lets CloudWatch Logs of this account use the key", () => {
      const statements = platform.data.aws_iam_policy_document[
        /aws_iam_policy_document\.([^.]+)\.json/.exec(
          onlyUnder(platform, "aws_kms_key", "platform/kms/")[1].policy,
        )![1]
      ].statement as Json[];
      expect(statements).toContainEqual(
        expect.objectContaining({
          principals: [
            {
              type: "Service",
              identifiers: ["logs.us-east-1.${data.aws_partition.kms_partition_79ECC167.dns_suffix}"],
            },
          ],
          actions: expect.arrayContaining(["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"]),
        }),
      );
    });
  });

  describe("7. auto-scaling", () => {
    test("CPU utilization target tracking at 70%, independently for each microservice", () => {
      const targets = new Set<string>();
      for (const name of SERVICES) {
        const [targetId, target] = oneOf(platform, "aws_appautoscaling_target", name);
        targets.add(target.resource_id);
        const policy = scalingPolicy(platform, name, "cpu-policy");
        expect(policy.resource_id).toBe(ref("aws_appautoscaling_target", targetId, "resource_id"));
        expect(policy.target_tracking_scaling_policy_configuration).toMatchObject({
          predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
          target_value: 70,
        });
      }
      expect(targets.size).toBe(3);
    });

    test("scale out/in on transaction volume: ALB requests per task over both target groups, 1000 per service", () => {
      for (const name of SERVICES) {
        const config = scalingPolicy(
          platform,
          name,
          "requests-policy",
        ).target_tracking_scaling_policy_configuration;
        expect(config.target_value).toBe(1000);
        const metrics = JSON.stringify(config.customized_metric_specification.metrics);
        for (const color of ["/blue", "/green"])
          expect(metrics).toContain(oneOf(platform, "aws_lb_target_group", name, color)[0]);
      }
    });
  });

  describe("8. secrets management", () => {
    test("database credentials live in Secrets Manager (the RDS-managed master secret, encrypted with the platform key)", () => {
      expect(db).toMatchObject({
        manage_master_user_password: true,
        master_user_secret_kms_key_id: ref("aws_kms_key", kmsId, "arn"),
      });
      expect(db.master_password).toBeUndefined();
    });

    test("automatic credential rotation every 30 days", () => {
      const [, rotation] = onlyUnder(platform, "aws_secretsmanager_secret_rotation", "platform/database/");
      expect(rotation).toMatchObject({
        secret_id: `\${aws_rds_cluster.${dbId}.master_user_secret[0].secret_arn}`,
        rotation_rules: { automatically_after_days: 30 },
      });
    });

    test("database credentials rotate every 30 days without reaching a task: services log in with IAM tokens", () => {
      for (const name of SERVICES) {
        const { container } = appContainer(platform, name);
        expect(container.secrets).toEqual([]);
        expect(container.environment).toContainEqual({ name: "DB_IAM_AUTH", value: "true" });
        expect(resourcesFor(platform, name, "execution-policy", "secretsmanager:GetSecretValue")).toEqual([]);
        expect(resourcesFor(platform, name, "task-policy", "rds-db:connect")).toHaveLength(1);
      }
    });
  });

  describe("9. monitoring and observability", () => {
    const metricsOf = (name: string) => dashboardMetrics(observability, `dashboard-fintech-${name}-test`);

    test("CloudWatch dashboards for service health and performance: an overview and one per service", () => {
      const names = Object.values(resources(observability, "aws_cloudwatch_dashboard"))
        .map((d) => d.dashboard_name)
        .sort();
      expect(names).toEqual(
        ["dashboard-fintech-test", ...SERVICES.map((s) => `dashboard-fintech-${s}-test`)].sort(),
      );
      expect(dashboardMetrics(observability, "dashboard-fintech-test").map((m) => m.metric)).toEqual(
        expect.arrayContaining(["RunningTaskCount", "CPUUtilization", "RequestCount", "TargetResponseTime"]),
      );
    });

    test("container-level metrics for CPU, memory and network", () => {
      for (const name of SERVICES)
        expect(metricsOf(name).map((m) => m.metric)).toEqual(
          expect.arrayContaining(["CPUUtilization", "MemoryUtilization", "NetworkRxBytes", "NetworkTxBytes"]),
        );
    });

    test("no mesh panels for a service nobody calls over the mesh (they could never have data)", () => {
      expect(metricsOf("payments-api").filter((m) => m.widget.startsWith("Mesh"))).toEqual([]);
    });

    test("service mesh metrics for request rates, latencies p50/p90/p99 and status classes, per Service Connect discovery name", () => {
      for (const name of SERVICES.filter((s) => s !== "payments-api")) {
        const mesh = metricsOf(name).filter((m) => m.widget.startsWith("Mesh"));
        expect(mesh.filter((m) => m.metric === "TargetResponseTime").map((m) => m.stat)).toEqual([
          "p50",
          "p90",
          "p99",
        ]);
        expect(mesh.filter((m) => m.metric.startsWith("HTTPCode_Target_")).map((m) => m.metric)).toEqual(
          ["2XX", "3XX", "4XX", "5XX"].map((c) => `HTTPCode_Target_${c}_Count`),
        );
        expect(mesh).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              namespace: "AWS/ECS",
              metric: "RequestCount",
              dimensions: expect.arrayContaining(["DiscoveryName", `${name}-test`]),
            }),
            expect.objectContaining({ namespace: "AWS/ECS", metric: "TargetResponseTime", stat: "p99" }),
          ]),
        );
      }
    });
  });

  describe("10. resource tagging", () => {
    test("all resources are tagged with Environment, Team and CostCenter (provider default tags in every stack)", () => {
      for (const stack of Object.values(stacks))
        expect(defaultTags(stack)).toMatchObject({
          Environment: "test",
          Team: "payments-platform",
          CostCenter: "fintech-core",
        });
    });

    test("tags used for billing allocation: tasks inherit them from their service", () => {
      for (const name of SERVICES) expect(service(name).propagate_tags).toBe("SERVICE");
    });
  });

  describe("technical requirements", () => {
    test("deploys to us-east-1", () => {
      for (const stack of Object.values(stacks)) expect(stack.provider.aws[0].region).toBe("us-east-1");
    });

    test("KMS keys for encryption: the platform key rotates and encrypts logs, secrets and the database", () => {
      expect(db).toMatchObject({ storage_encrypted: true, kms_key_id: ref("aws_kms_key", kmsId, "arn") });
      expect(onlyUnder(platform, "aws_kms_key", "platform/kms/")[1]).toMatchObject({
        enable_key_rotation: true,
        deletion_window_in_days: 7,
      });
    });

    test("a VPC with public subnets for the ALB, private subnets for tasks and a NAT gateway per AZ for outbound traffic", () => {
      const egress = Object.values(privateEgress(network));
      expect(egress).toHaveLength(3);
      expect(new Set(egress.map((e) => e.nat)).size).toBe(3);
      expect(new Set(egress.map((e) => e.natSubnet)).size).toBe(3);
    });

    test("resource names include the environment suffix for parallel deployments", () => {
      for (const id of ENVIRONMENT_STACKS)
        for (const { at, name } of literalNames(stacks[id]))
          expect(`${at}: ${name}`).toMatch(suffixPattern(at, "fintech"));
    });

    test("the namespace is per environment too", () => {
      expect(namespace.name).toBe("test.fintech.internal");
    });
  });

  describe("deployment requirements", () => {
    test("everything is destroyable: no retain, no deletion protection, ECS services force-deleted, buckets emptied", () => {
      expect(destroyBlockers(stacks)).toEqual([]);
    });

    test("the database skips its final snapshot and has no deletion protection", () => {
      expect(db).toMatchObject({ skip_final_snapshot: true, deletion_protection: false });
    });

    test("no account-level resources that would conflict between environments (no GuardDuty detector)", () => {
      for (const id of ENVIRONMENT_STACKS)
        expect(resources(stacks[id], "aws_guardduty_detector")).toEqual({});
    });
  });
});
