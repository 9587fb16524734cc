/**
 * Conformance of the `fraud` blueprint to brief 001 (fraud detection, eu-central-1: REST API,
 * queue worker, 6-hourly job, Aurora PostgreSQL): every requirement line the infrastructure can
 * show, asserted on the synthesized JSON of all stacks, synthesized once. Where the brief
 * contradicts itself (TLS termination vs "HTTPS/TLS is not required"; dashboards "and alarms"
 * vs "CloudWatch Alarms are not required"), the later, explicit line wins.
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
  suffixPattern,
  underPath,
} from "../support/find";
import { configFor, dataSources, Json, resources, synthApp } from "../support/synth";

const SERVICES = ["fraud-api", "fraud-worker", "fraud-job"];
const SCALED = ["fraud-api", "fraud-worker"];

describe("fraud blueprint (brief 001)", () => {
  const { stacks } = synthApp(configFor("fraud"));
  const { network, registry, platform, observability } = stacks;

  const [clusterId, cluster] = onlyUnder(platform, "aws_ecs_cluster", "platform/cluster/");
  const [, db] = onlyUnder(platform, "aws_rds_cluster", "platform/database/");
  const [queueId] = oneOf(platform, "aws_sqs_queue", "fraud-worker", "/queue/queue");
  const service = (name: string) => oneOf(platform, "aws_ecs_service", name)[1];
  const target = (name: string) => oneOf(platform, "aws_appautoscaling_target", name)[1];

  describe("1. ECS cluster configuration", () => {
    test("the cluster has Container Insights enabled (enhanced monitoring)", () => {
      expect(cluster.setting).toEqual([{ name: "containerInsights", value: "enhanced" }]);
    });

    test("capacity providers for both Fargate and Fargate Spot", () => {
      const [, providers] = onlyUnder(platform, "aws_ecs_cluster_capacity_providers", "platform/cluster/");
      expect(providers.cluster_name).toBe(ref("aws_ecs_cluster", clusterId, "name"));
      expect(providers.capacity_providers.sort()).toEqual(["FARGATE", "FARGATE_SPOT"]);
    });
  });

  describe("2. three service types with different scaling", () => {
    test("REST API service: up to 10 tasks with auto-scaling (2 once images exist, see deployment instructions)", () => {
      expect(target("fraud-api")).toMatchObject({
        max_capacity: 10,
        scalable_dimension: "ecs:service:DesiredCount",
      });
      expect(target("fraud-api").resource_id).toContain(
        ref("aws_ecs_service", oneOf(platform, "aws_ecs_service", "fraud-api")[0], "name"),
      );
    });

    test("background worker service: up to 5 tasks with auto-scaling (1 once images exist)", () => {
      expect(target("fraud-worker")).toMatchObject({
        max_capacity: 5,
        scalable_dimension: "ecs:service:DesiredCount",
      });
      expect(target("fraud-worker").resource_id).toContain(
        ref("aws_ecs_service", oneOf(platform, "aws_ecs_service", "fraud-worker")[0], "name"),
      );
    });

    test("scheduled job service: runs every 6 hours on a schedule, as a Fargate task of the cluster", () => {
      const [, schedule] = oneOf(platform, "aws_scheduler_schedule", "fraud-job");
      const [taskDefinitionId] = oneOf(platform, "aws_ecs_task_definition", "fraud-job");
      expect(schedule.schedule_expression).toBe("rate(6 hours)");
      expect(schedule.target).toMatchObject({
        arn: ref("aws_ecs_cluster", clusterId, "arn"),
        ecs_parameters: {
          task_count: 1,
          task_definition_arn: ref("aws_ecs_task_definition", taskDefinitionId, "arn_without_revision"),
          network_configuration: { assign_public_ip: false },
        },
        retry_policy: { maximum_retry_attempts: 2 },
      });
      expect(ofService(platform, "aws_ecs_service", "fraud-job")).toEqual([]);
    });

    test("the worker is fed by its SQS queue, with a dead-letter queue for poison messages", () => {
      const [, queue] = oneOf(platform, "aws_sqs_queue", "fraud-worker", "/queue/queue");
      const [dlqId] = oneOf(platform, "aws_sqs_queue", "fraud-worker", "dead-letter-queue");
      expect(JSON.parse(queue.redrive_policy)).toEqual({
        deadLetterTargetArn: ref("aws_sqs_queue", dlqId, "arn"),
        maxReceiveCount: 5,
      });
      expect(appContainer(platform, "fraud-worker").container.environment).toContainEqual({
        name: "QUEUE_URL",
        value: ref("aws_sqs_queue", queueId, "url"),
      });
    });
  });

  describe("3. Application Load Balancer setup", () => {
    test("path-based routing: /api/* routes to the API service", () => {
      const [, rule] = oneOf(platform, "aws_lb_listener_rule", "fraud-api", "production-rule");
      expect(rule.condition).toEqual([{ path_pattern: { values: ["/api/*"] } }]);
      expect(rule.action[0].target_group_arn).toBe(
        ref("aws_lb_target_group", oneOf(platform, "aws_lb_target_group", "fraud-api", "/blue")[0], "arn"),
      );
      expect(
        Object.keys(resources(platform, "aws_lb_listener_rule")).every((id) =>
          id.startsWith("service-fraud-api_"),
        ),
      ).toBe(true);
    });

    test("health check endpoint: /health", () => {
      for (const color of ["/blue", "/green"])
        expect(oneOf(platform, "aws_lb_target_group", "fraud-api", color)[1].health_check).toMatchObject({
          path: "/health",
          enabled: true,
        });
    });

    test("HTTPS/TLS is not required for load balancing: plain HTTP listener on 80, no certificate, nothing on 443", () => {
      const listeners = Object.values(resources(platform, "aws_lb_listener"));
      const production = listeners.find((l) => l.port === 80)!;
      expect(production.protocol).toBe("HTTP");
      expect(listeners.some((l) => l.port === 443 || l.protocol === "HTTPS" || l.certificate_arn)).toBe(
        false,
      );
    });

    test("proper security groups: the internet reaches the ALB on 80 only, the ALB reaches only the API", () => {
      const [albSgId] = onlyUnder(platform, "aws_security_group", "platform/load-balancer/");
      const albSg = ref("aws_security_group", albSgId, "id");
      const ingress = Object.values(resources(platform, "aws_vpc_security_group_ingress_rule"));
      expect(
        ingress.filter((r) => r.cidr_ipv4 === "0.0.0.0/0").map((r) => [r.security_group_id, r.from_port]),
      ).toEqual([[albSg, 80]]);
      const fromAlb = ingress
        .filter((r) => r.referenced_security_group_id === albSg)
        .map((r) => r.security_group_id);
      expect(fromAlb).toEqual([
        ref("aws_security_group", oneOf(platform, "aws_security_group", "fraud-api")[0], "id"),
      ]);
    });
  });

  describe("4. auto-scaling configuration", () => {
    test.each(SCALED)("%s scales out on CPU utilization at 70%%", (name) => {
      expect(
        scalingPolicy(platform, name, "cpu-policy").target_tracking_scaling_policy_configuration,
      ).toMatchObject({
        predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
        target_value: 70,
      });
    });

    test.each(SCALED)("%s scales out on memory utilization at 80%%", (name) => {
      expect(
        scalingPolicy(platform, name, "memory-policy").target_tracking_scaling_policy_configuration,
      ).toMatchObject({
        predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageMemoryUtilization" },
        target_value: 80,
      });
    });

    test("scaling policies for scale-in and scale-out: target tracking with 300 s in and 60 s out cooldowns", () => {
      for (const name of SCALED)
        for (const kind of ["cpu-policy", "memory-policy"])
          expect(
            scalingPolicy(platform, name, kind).target_tracking_scaling_policy_configuration,
          ).toMatchObject({
            scale_in_cooldown: 300,
            scale_out_cooldown: 60,
          });
    });

    test("the worker also tracks queue backlog: 20 visible messages per running task", () => {
      const config = scalingPolicy(
        platform,
        "fraud-worker",
        "backlog-policy",
      ).target_tracking_scaling_policy_configuration;
      expect(config.target_value).toBe(20);
      expect(JSON.stringify(config.customized_metric_specification)).toContain(
        ref("aws_sqs_queue", queueId, "name"),
      );
    });
  });

  describe("5. service discovery", () => {
    const [namespaceId, namespace] = onlyUnder(
      platform,
      "aws_service_discovery_private_dns_namespace",
      "platform/namespace/",
    );

    test("an AWS Cloud Map private DNS namespace for service discovery", () => {
      expect(namespace.name).toBe("test.fraud.internal");
    });

    test("DNS records for the worker; the CodeDeploy API has none (a name would hold both task sets) and the job no service", () => {
      expect(ofService(platform, "aws_service_discovery_service", "fraud-api")).toEqual([]);
      for (const name of ["fraud-worker"]) {
        const [discoveryId, discovery] = oneOf(platform, "aws_service_discovery_service", name);
        expect(discovery.dns_config).toMatchObject({
          namespace_id: ref("aws_service_discovery_private_dns_namespace", namespaceId, "id"),
          dns_records: [expect.objectContaining({ type: "A" })],
        });
        expect(service(name).service_registries).toEqual({
          registry_arn: ref("aws_service_discovery_service", discoveryId, "arn"),
        });
      }
      expect(ofService(platform, "aws_service_discovery_service", "fraud-job")).toEqual([]);
    });

    test("the API reaches the worker through the worker's queue (a worker listens on no port)", () => {
      expect(appContainer(platform, "fraud-api").container.environment).toContainEqual({
        name: "FRAUD_WORKER_QUEUE_URL",
        value: ref("aws_sqs_queue", queueId, "url"),
      });
      expect(resourcesFor(platform, "fraud-api", "task-policy", "sqs:SendMessage")).toEqual([
        ref("aws_sqs_queue", queueId, "arn"),
      ]);
    });
  });

  describe("6. task definitions with resource limits", () => {
    test.each([
      ["fraud-api", 512, 1024],
      ["fraud-worker", 1024, 2048],
      ["fraud-job", 256, 512],
    ])("%s: %i CPU units, %i MB memory", (name, cpu, memory) => {
      expect(oneOf(platform, "aws_ecs_task_definition", name)[1]).toMatchObject({
        cpu: String(cpu),
        memory: String(memory),
        requires_compatibilities: ["FARGATE"],
      });
    });
  });

  describe("7. logging and tracing", () => {
    test("CloudWatch log groups with 7-day retention for each service", () => {
      for (const name of SERVICES)
        expect(oneOf(platform, "aws_cloudwatch_log_group", name, "task/logs")[1]).toMatchObject({
          name: `/ecs/fraud-${name}-test`,
          retention_in_days: 7,
        });
    });

    test("AWS X-Ray sidecar containers in every task, the job's included", () => {
      for (const name of SERVICES) {
        const containers = containersOf(oneOf(platform, "aws_ecs_task_definition", name)[1]);
        expect(containers.find((c) => c.name === "xray-daemon")).toMatchObject({
          essential: false,
          portMappings: [{ containerPort: 2000, protocol: "udp" }],
        });
        expect(appContainer(platform, name).container.environment).toContainEqual({
          name: "AWS_XRAY_DAEMON_ADDRESS",
          value: "127.0.0.1:2000",
        });
      }
    });

    test("proper log stream naming: one prefix per container, in eu-central-1", () => {
      for (const name of SERVICES)
        for (const c of containersOf(oneOf(platform, "aws_ecs_task_definition", name)[1]))
          expect(c.logConfiguration.options).toMatchObject({
            "awslogs-stream-prefix": c.name,
            "awslogs-region": "eu-central-1",
          });
    });

    test("log filtering: an error-lines metric filter on each service's log group, in the platform next to its rollback alarm", () => {
      for (const name of SERVICES) {
        const filter = Object.values(resources(platform, "aws_cloudwatch_log_metric_filter")).find(
          (f) => f.metric_transformation.name === `${name}/ErrorLogLines`,
        )!;
        expect(filter.log_group_name).toBe(
          ref(
            "aws_cloudwatch_log_group",
            oneOf(platform, "aws_cloudwatch_log_group", name, "task/logs")[0],
            "name",
          ),
        );
      }
    });
  });

  describe("8. IAM task roles", () => {
    test("least-privilege roles per task type: only the worker consumes the queue, only the API sends to it", () => {
      expect(allowedActions(platform, "fraud-worker", "task-policy")).toEqual(
        expect.arrayContaining(["sqs:ReceiveMessage", "sqs:DeleteMessage"]),
      );
      expect(allowedActions(platform, "fraud-api", "task-policy")).not.toContain("sqs:ReceiveMessage");
      expect(allowedActions(platform, "fraud-job", "task-policy").some((a) => a.startsWith("sqs:"))).toBe(
        false,
      );
      expect(resourcesFor(platform, "fraud-worker", "task-policy", "sqs:ReceiveMessage")).toEqual([
        ref("aws_sqs_queue", queueId, "arn"),
      ]);
    });

    test("access to Secrets Manager for retrieving the looked-up API keys: execution and task roles, exactly that ARN", () => {
      const [lookupId] = Object.keys(dataSources(platform, "aws_secretsmanager_secret"));
      for (const name of SCALED)
        for (const policy of ["execution-policy", "task-policy"] as const)
          expect(resourcesFor(platform, name, policy, "secretsmanager:GetSecretValue")).toEqual([
            `\${data.aws_secretsmanager_secret.${lookupId}.arn}`,
          ]);
    });

    test("access to the S3 data bucket: read for the API, read-write for the worker and the job", () => {
      const objects = "arn:${data.aws_partition.partition.partition}:s3:::fraud-detection-data/*";
      expect(resourcesFor(platform, "fraud-api", "task-policy", "s3:GetObject")).toEqual([objects]);
      expect(allowedActions(platform, "fraud-api", "task-policy")).not.toContain("s3:PutObject");
      for (const name of ["fraud-worker", "fraud-job"])
        expect(resourcesFor(platform, name, "task-policy", "s3:PutObject")).toEqual([objects]);
    });
  });

  describe("9. CloudWatch dashboards", () => {
    const metricsOf = (name: string) => dashboardMetrics(observability, `dashboard-fraud-${name}-test`);

    test("task count metrics for each service", () => {
      for (const name of SCALED)
        expect(metricsOf(name).map((m) => m.metric)).toEqual(
          expect.arrayContaining(["RunningTaskCount", "DesiredTaskCount"]),
        );
      expect(metricsOf("fraud-job").map((m) => m.metric)).toContain("InvocationAttemptCount");
    });

    test("CPU and memory utilization graphs", () => {
      for (const name of SCALED)
        expect(metricsOf(name).map((m) => m.metric)).toEqual(
          expect.arrayContaining(["CPUUtilization", "MemoryUtilization"]),
        );
      expect(metricsOf("fraud-job").map((m) => m.metric)).toEqual(
        expect.arrayContaining(["CpuUtilized", "MemoryUtilized"]),
      );
    });

    test("error rate tracking: API 5xx rate, worker queue age, job failures", () => {
      expect(metricsOf("fraud-api").some((m) => m.widget === "5xx error rate %")).toBe(true);
      expect(metricsOf("fraud-worker").map((m) => m.metric)).toContain("ApproximateAgeOfOldestMessage");
      expect(metricsOf("fraud-job").map((m) => m.metric)).toContain("TargetErrorCount");
    });

    test("CloudWatch alarms are not required: the observability stack creates no alarm and no alarm topic", () => {
      for (const type of ["aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm", "aws_sns_topic"])
        expect(resources(observability, type)).toEqual({});
    });
  });

  describe("technical requirements", () => {
    test("ECS Fargate exclusively: every task requires FARGATE, services and the job run on Fargate capacity", () => {
      for (const td of Object.values(resources(platform, "aws_ecs_task_definition")))
        expect(td.requires_compatibilities).toEqual(["FARGATE"]);
      const strategies = [
        ...Object.values(resources(platform, "aws_ecs_service")).map((s) => s.capacity_provider_strategy),
        oneOf(platform, "aws_scheduler_schedule", "fraud-job")[1].target.ecs_parameters
          .capacity_provider_strategy,
      ];
      for (const strategy of strategies)
        for (const item of strategy) expect(item.capacity_provider).toMatch(/^FARGATE(_SPOT)?$/);
    });

    test("RDS Aurora PostgreSQL in private (database) subnets, not publicly accessible", () => {
      const [subnetGroupId, subnetGroup] = onlyUnder(platform, "aws_db_subnet_group", "platform/database/");
      expect(db).toMatchObject({
        engine: "aurora-postgresql",
        database_name: "fraud",
        storage_encrypted: true,
      });
      expect(db.db_subnet_group_name).toBe(ref("aws_db_subnet_group", subnetGroupId, "name"));
      expect(subnetGroup.subnet_ids).toEqual(
        [0, 1, 2].map((i) => expect.stringContaining(`database-subnet-${i}`)),
      );
      for (const instance of Object.values(resources(platform, "aws_rds_cluster_instance")))
        expect(instance.publicly_accessible).toBe(false);
    });

    test("no backup retention is required: the Aurora minimum of 1 day, no final snapshot", () => {
      expect(db).toMatchObject({ backup_retention_period: 1, skip_final_snapshot: true });
    });

    test("deploys to eu-central-1", () => {
      for (const stack of Object.values(stacks)) expect(stack.provider.aws[0].region).toBe("eu-central-1");
    });

    test("the VPC spans exactly 3 availability zones: private subnets for ECS tasks, public subnets for the ALB", () => {
      for (const tier of ["public", "private"])
        expect(
          underPath(network, "aws_subnet", `network/vpc/${tier}-subnet-`).map(([, s]) => s.availability_zone),
        ).toEqual([0, 1, 2].map((i) => expect.stringContaining(`names, ${i})`)));
      for (const s of Object.values(resources(platform, "aws_ecs_service")))
        expect(s.network_configuration.subnets).toEqual(
          [0, 1, 2].map((i) => expect.stringContaining(`private-subnet-${i}`)),
        );
      expect(onlyUnder(platform, "aws_lb", "platform/load-balancer/")[1].subnets).toEqual(
        [0, 1, 2].map((i) => expect.stringContaining(`public-subnet-${i}`)),
      );
    });

    test("only 1 NAT gateway, shared by all private subnets for outbound internet access", () => {
      expect(Object.keys(resources(network, "aws_nat_gateway"))).toHaveLength(1);
      const egress = Object.values(privateEgress(network));
      expect(egress).toHaveLength(3);
      expect(new Set(egress.map((e) => e.nat)).size).toBe(1);
    });

    test("no VPC flow logs, as the brief requires", () => {
      expect(resources(network, "aws_flow_log")).toEqual({});
      expect(resources(network, "aws_cloudwatch_log_group")).toEqual({});
    });

    test("resource names include the environment suffix", () => {
      for (const id of ENVIRONMENT_STACKS)
        for (const { at, name } of literalNames(stacks[id]))
          expect(`${at}: ${name}`).toMatch(suffixPattern(at, "fraud"));
    });
  });

  describe("constraints", () => {
    test("Secrets Manager secrets are fetched, not created: the API keys are looked up by name", () => {
      expect(resources(platform, "aws_secretsmanager_secret")).toEqual({});
      const lookups = Object.values(dataSources(platform, "aws_secretsmanager_secret"));
      expect(lookups.map((s) => s.name)).toEqual(["fraud/api-keys"]);
      const [lookupId] = Object.keys(dataSources(platform, "aws_secretsmanager_secret"));
      for (const name of SCALED)
        expect(appContainer(platform, name).container.secrets).toContainEqual({
          name: "API_KEYS",
          valueFrom: `\${data.aws_secretsmanager_secret.${lookupId}.arn}`,
        });
    });

    test("database credentials: the RDS-managed master secret, read only by the bootstrap task; services use IAM tokens", () => {
      expect(db.manage_master_user_password).toBe(true);
      expect(db.iam_database_authentication_enabled).toBe(true);
      for (const name of SERVICES) {
        const { container } = appContainer(platform, name);
        expect(JSON.stringify(container)).not.toContain("master_user_secret");
        expect((container.environment as Json[]).map((e) => e.name)).not.toContain("DB_PASSWORD");
        expect(container.environment).toContainEqual({ name: "DB_IAM_AUTH", value: "true" });
      }
    });

    test("all resources are destroyable (no Retain, no deletion protection)", () => {
      expect(destroyBlockers(stacks)).toEqual([]);
    });
  });

  describe("container images", () => {
    test("ECR repositories are created for the three services: fraud-api, fraud-worker, fraud-job", () => {
      expect(
        Object.values(resources(registry, "aws_ecr_repository"))
          .map((r) => r.name)
          .sort(),
      ).toEqual(SERVICES.map((s) => `ecr-repo-fraud-${s}-test`).sort());
    });

    test("the infrastructure references the repository URIs: each task's image is its repository in eu-central-1", () => {
      for (const name of SERVICES)
        expect(imageOf(platform, name)).toMatch(
          new RegExp(`\\.dkr\\.ecr\\.eu-central-1\\.amazonaws\\.com/ecr-repo-fraud-${name}-test:bootstrap$`),
        );
      expect(Object.keys(registry.output.repository_urls.value).sort()).toEqual([...SERVICES].sort());
    });
  });

  describe("deployment instructions", () => {
    test("services deploy with 0 tasks until their first release, so the first deploy succeeds before images are pushed", () => {
      expect(service("fraud-api").desired_count).toBe(afterRelease(platform, "fraud-api", 2));
      expect(service("fraud-worker").desired_count).toBe(afterRelease(platform, "fraud-worker", 1));
    });

    test("the first release raises them to the brief's counts (API 2-10, worker 1-5); Terraform agrees afterwards", () => {
      expect(target("fraud-api")).toMatchObject({
        min_capacity: afterRelease(platform, "fraud-api", 2),
        max_capacity: 10,
      });
      expect(target("fraud-worker")).toMatchObject({
        min_capacity: afterRelease(platform, "fraud-worker", 1),
        max_capacity: 5,
      });
      for (const name of SCALED) expect(service(name).lifecycle.ignore_changes).toContain("desired_count");
    });

    test("the service names of the brief's scale-up commands are outputs (fraud-api, fraud-worker)", () => {
      expect(platform.output.service_names.value).toEqual({
        "fraud-api": "ecs-svc-fraud-api-test",
        "fraud-worker": "ecs-svc-fraud-worker-test",
      });
      expect(platform.output.cluster_name.value).toBe(ref("aws_ecs_cluster", clusterId, "name"));
    });
  });

  describe("stack outputs", () => {
    test("ALB DNS name", () => {
      expect(platform.output.alb_dns_name.value).toBe(
        ref("aws_lb", onlyUnder(platform, "aws_lb", "platform/load-balancer/")[0], "dns_name"),
      );
    });

    test("Cloud Map namespace", () => {
      expect(platform.output.cloud_map_namespace.value).toBe("test.fraud.internal");
    });

    test("dashboard URLs: the overview and one per service, in eu-central-1", () => {
      const urls = observability.output.dashboard_urls.value as Record<string, string>;
      expect(Object.keys(urls).sort()).toEqual(["overview", ...SERVICES].sort());
      expect(urls["fraud-api"]).toBe(
        "https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#dashboards/dashboard/dashboard-fraud-fraud-api-test",
      );
    });
  });

  test("every stack tags its resources with Environment, Team and CostCenter", () => {
    for (const stack of Object.values(stacks))
      expect(defaultTags(stack)).toMatchObject({
        Environment: "test",
        Team: "fraud-detection",
        CostCenter: "finance-risk",
      });
  });
});
