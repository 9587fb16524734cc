import "cdktf/lib/testing/adapters/jest";
import { isValidFargatePair } from "../../config/fargate";
import { buildOrder, listenerPriorities } from "../../stacks/platform-stack";
import { allKinds } from "../support/blueprints";
import { imageOf, oneOf, ofService, ref, statementsOf } from "../support/find";
import { configFor, configFrom, Json, resources, synthApp } from "../support/synth";

/** The policy document a role policy uses (`${data.aws_iam_policy_document.X.json}`). */
const documentOf = (stack: Json, policy: Json): Json => ({ statement: statementsOf(stack, policy) });

describe("platform stack (trading: web with CodeDeploy, backend)", () => {
  const { stacks, app } = synthApp(configFor("trading"));
  const platform = stacks.platform;
  const webServices = ["frontend", "api-gateway"];

  test("depends on the network stack only, so `cdktf deploy network platform` is accepted", () => {
    expect(app.platform.dependencies.map((s) => s.node.id)).toEqual(["network"]);
    expect(app.registry.dependencies).toEqual([]);
    expect(app.network.dependencies).toEqual([]);
    expect(app.observability.dependencies.map((s) => s.node.id)).toEqual(["platform"]);
  });

  test("reads the network stack's state from its S3 key", () => {
    const remote = Object.values(platform.data.terraform_remote_state) as Json[];
    expect(remote).toHaveLength(1);
    expect(remote[0]).toMatchObject({
      backend: "s3",
      config: {
        bucket: "tfstate-trading-platform",
        key: "trading/test/network.tfstate",
        region: "us-east-1",
      },
    });
  });

  test("each web service's load balancer block names its task definition's container and port", () => {
    for (const name of webServices) {
      const [, service] = oneOf(platform, "aws_ecs_service", name);
      const [tdId, td] = oneOf(platform, "aws_ecs_task_definition", name);
      const app = JSON.parse(td.container_definitions).find((c: Json) => c.name === name);
      expect(service.task_definition).toBe(ref("aws_ecs_task_definition", tdId, "arn"));
      expect(service.load_balancer).toEqual([
        expect.objectContaining({
          container_name: app.name,
          container_port: app.portMappings[0].containerPort,
        }),
      ]);
    }
  });

  test("each web service starts on its own blue target group, of target type ip", () => {
    for (const name of webServices) {
      const [, service] = oneOf(platform, "aws_ecs_service", name);
      const [blueId, blue] = oneOf(platform, "aws_lb_target_group", name, "/blue");
      expect(service.load_balancer[0].target_group_arn).toBe(ref("aws_lb_target_group", blueId, "arn"));
      expect(blue.target_type).toBe("ip");
      expect(oneOf(platform, "aws_lb_target_group", name, "/green")[1].target_type).toBe("ip");
    }
  });

  test("each CodeDeploy group names its service, its two target groups and the production and test listeners", () => {
    const [prodId] = Object.entries(resources(platform, "aws_lb_listener")).find(([, l]) => l.port === 80)!;
    const [testId] = Object.entries(resources(platform, "aws_lb_listener")).find(([, l]) => l.port === 8443)!;
    for (const name of webServices) {
      const [, group] = oneOf(platform, "aws_codedeploy_deployment_group", name);
      const [serviceId] = oneOf(platform, "aws_ecs_service", name);
      const [blueId] = oneOf(platform, "aws_lb_target_group", name, "/blue");
      const [greenId] = oneOf(platform, "aws_lb_target_group", name, "/green");
      expect(group.ecs_service.service_name).toBe(ref("aws_ecs_service", serviceId, "name"));
      const pair = group.load_balancer_info.target_group_pair_info;
      expect(pair.target_group.map((t: Json) => t.name)).toEqual([
        ref("aws_lb_target_group", blueId, "name"),
        ref("aws_lb_target_group", greenId, "name"),
      ]);
      expect(pair.prod_traffic_route.listener_arns).toEqual([ref("aws_lb_listener", prodId, "arn")]);
      expect(pair.test_traffic_route.listener_arns).toEqual([ref("aws_lb_listener", testId, "arn")]);
      expect(group.deployment_style).toEqual({
        deployment_option: "WITH_TRAFFIC_CONTROL",
        deployment_type: "BLUE_GREEN",
      });
      expect(group.auto_rollback_configuration.events).toEqual(
        expect.arrayContaining(["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]),
      );
    }
  });

  test("CodeDeploy services use the CODE_DEPLOY controller and Terraform ignores what CodeDeploy owns", () => {
    for (const name of webServices) {
      const [, service] = oneOf(platform, "aws_ecs_service", name);
      expect(service.deployment_controller).toEqual({ type: "CODE_DEPLOY" });
      expect(service.lifecycle.ignore_changes).toEqual(
        expect.arrayContaining(["task_definition", "load_balancer", "desired_count"]),
      );
      for (const [, rule] of ofService(platform, "aws_lb_listener_rule", name)) {
        expect(rule.lifecycle.ignore_changes).toEqual(["action"]);
      }
    }
  });

  test("the backend deploys with the ECS circuit breaker and rolls back", () => {
    const [, service] = oneOf(platform, "aws_ecs_service", "processing-service");
    expect(service.deployment_controller).toEqual({ type: "ECS" });
    expect(service.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
    expect(service.alarms.rollback).toBe(true);
  });

  test("every ECS service runs in private subnets without a public IP and can be force-deleted", () => {
    for (const service of Object.values(resources(platform, "aws_ecs_service"))) {
      expect(service.network_configuration.assign_public_ip).toBe(false);
      expect(service.network_configuration.subnets.join()).toMatch(/private-subnet/);
      expect(service.force_delete).toBe(true);
      expect(service.enable_execute_command).toBe(false);
      expect(service.propagate_tags).toBe("SERVICE");
    }
  });

  test("every task definition has a valid Fargate CPU/memory pair and the brief's sizes", () => {
    const sizes: Record<string, [number, number]> = {};
    for (const name of ["frontend", "api-gateway", "processing-service"]) {
      const [, td] = oneOf(platform, "aws_ecs_task_definition", name);
      expect(isValidFargatePair(Number(td.cpu), Number(td.memory))).toBe(true);
      expect(td.requires_compatibilities).toEqual(["FARGATE"]);
      expect(td.network_mode).toBe("awsvpc");
      sizes[name] = [Number(td.cpu), Number(td.memory)];
    }
    expect(sizes).toEqual({
      frontend: [512, 1024],
      "api-gateway": [1024, 2048],
      "processing-service": [2048, 4096],
    });
  });

  test("images come from the naming convention's ECR repository in this account, not from the registry stack", () => {
    expect(imageOf(platform, "api-gateway")).toMatch(
      /^\$\{data\.aws_caller_identity\.[^.]+\.account_id\}\.dkr\.ecr\.us-east-1\.amazonaws\.com\/ecr-repo-trading-api-gateway-test:bootstrap$/,
    );
    expect(JSON.stringify(platform)).not.toContain("registry.tfstate");
  });

  test("secrets reach containers through `secrets`, never as plain environment values", () => {
    const [, td] = oneOf(platform, "aws_ecs_task_definition", "processing-service");
    const app = JSON.parse(td.container_definitions).find((c: Json) => c.name === "processing-service");
    const secretNames = app.secrets.map((s: Json) => s.name);
    expect(secretNames).toEqual(expect.arrayContaining(["DB_USERNAME", "DB_PASSWORD"]));
    const envNames = (app.environment ?? []).map((e: Json) => e.name);
    for (const n of secretNames) expect(envNames).not.toContain(n);
  });

  test("callers get their callees' Cloud Map DNS names", () => {
    const [, td] = oneOf(platform, "aws_ecs_task_definition", "api-gateway");
    const app = JSON.parse(td.container_definitions).find((c: Json) => c.name === "api-gateway");
    const url = app.environment.find((e: Json) => e.name === "PROCESSING_SERVICE_URL").value;
    expect(url).toBe("http://processing-service-test.test.trading.internal:9090");
  });

  test("each service security group admits exactly the ALB or its configured callers, on its port", () => {
    const sgId = (name: string) => oneOf(platform, "aws_security_group", name)[0];
    const [albSgId] = Object.entries(resources(platform, "aws_security_group")).find(([, sg]) =>
      (sg["//"].metadata.path as string).startsWith("platform/load-balancer/"),
    )!;
    const sources = (name: string) => {
      const own = ref("aws_security_group", sgId(name), "id");
      return Object.values(resources(platform, "aws_vpc_security_group_ingress_rule"))
        .filter((r) => r.security_group_id === own)
        .map((r) => [r.referenced_security_group_id ?? r.cidr_ipv4, r.from_port, r.to_port])
        .sort();
    };
    const alb = ref("aws_security_group", albSgId, "id");
    const sg = (name: string) => ref("aws_security_group", sgId(name), "id");
    expect(sources("frontend")).toEqual([[alb, 8080, 8080]]);
    // frontend calls the blue/green api-gateway through the ALB's production listener.
    expect(sources("api-gateway")).toEqual([[alb, 8080, 8080]]);
    expect(sources("processing-service")).toEqual([[sg("api-gateway"), 9090, 9090]]);
  });

  test("each execution role reads only its own log group, repository and secrets", () => {
    for (const name of ["api-gateway", "processing-service"]) {
      const [, policy] = oneOf(platform, "aws_iam_role_policy", name, "execution-policy");
      const statements = documentOf(platform, policy).statement as Json[];
      const resourcesOf = (action: string) =>
        statements.filter((s) => s.actions.includes(action)).flatMap((s) => s.resources as string[]);
      const [, logGroup] = oneOf(platform, "aws_cloudwatch_log_group", name, "task/logs");
      const [, sidecarLogs] = oneOf(platform, "aws_cloudwatch_log_group", name, "task/sidecar-logs");
      expect(resourcesOf("logs:PutLogEvents")).toEqual([
        expect.stringMatching(new RegExp(`:log-group:${logGroup.name}:\\*$`)),
        expect.stringMatching(new RegExp(`:log-group:${sidecarLogs.name}:\\*$`)),
      ]);
      expect(resourcesOf("ecr:BatchGetImage")).toEqual([
        expect.stringMatching(new RegExp(`:repository/ecr-repo-trading-${name}-test$`)),
      ]);
      const secretArns = resourcesOf("secretsmanager:GetSecretValue");
      const expected = name === "api-gateway" ? ["api-keys"] : ["db-credentials"];
      expect(secretArns).toEqual(
        expected.map((s) => expect.stringContaining(`aws_secretsmanager_secret.secrets_${s}_`)),
      );
    }
  });

  test("the CodeDeploy frontend scales on requests of both its target groups", () => {
    const [, requests] = ofService(platform, "aws_appautoscaling_policy", "frontend").find(
      ([, p]) => p.name === "scaling-frontend-requests-test",
    )!;
    const groups = (
      requests.target_tracking_scaling_policy_configuration.customized_metric_specification.metrics as Json[]
    )
      .flatMap((m) => m.metric_stat?.metric.dimensions ?? [])
      .filter((d: Json) => d.name === "TargetGroup")
      .map((d: Json) => d.value);
    const suffix = (color: string) =>
      ref(
        "aws_lb_target_group",
        oneOf(platform, "aws_lb_target_group", "frontend", `/${color}`)[0],
        "arn_suffix",
      );
    expect(groups).toEqual([suffix("blue"), suffix("green")]);
  });

  test("listener rules route /api/* before the /* catch-all", () => {
    const priority = (name: string) =>
      oneOf(platform, "aws_lb_listener_rule", name, "production-rule")[1].priority;
    expect(priority("api-gateway")).toBeLessThan(priority("frontend"));
  });

  test("outputs what operators and pipelines need", () => {
    expect(Object.keys(platform.output)).toEqual(
      expect.arrayContaining([
        "alb_dns_name",
        "cluster_name",
        "cluster_arn",
        "cloud_map_namespace",
        "service_names",
        "service_arns",
        "image_uris",
        "codedeploy",
        "appspec_templates",
        "release_manifest",
      ]),
    );
  });

  test("the AppSpec template names the container, port and capacity provider strategy", () => {
    const appspec = JSON.parse(platform.output.appspec_templates.value["api-gateway"]);
    expect(appspec.Resources[0].TargetService.Properties).toEqual({
      TaskDefinition: "<TASK_DEFINITION>",
      LoadBalancerInfo: { ContainerName: "api-gateway", ContainerPort: 8080 },
      CapacityProviderStrategy: [
        { CapacityProvider: "FARGATE", Base: 2, Weight: 1 },
        { CapacityProvider: "FARGATE_SPOT", Base: 0, Weight: 1 },
      ],
    });
  });

  test("the release manifest describes every service", () => {
    const manifest = platform.output.release_manifest.value as Json;
    expect(Object.keys(manifest).sort()).toEqual(["api-gateway", "frontend", "processing-service"]);
    expect(manifest["api-gateway"]).toMatchObject({
      kind: "web",
      containerName: "api-gateway",
      containerPort: 8080,
    });
  });
});

describe("platform stack (test blueprint: all kinds, Service Connect TLS, database)", () => {
  const { stacks } = synthApp(configFrom(allKinds));
  const platform = stacks.platform;

  test("a scheduled job has no ECS service and a worker has its queue", () => {
    expect(ofService(platform, "aws_ecs_service", "nightly")).toEqual([]);
    expect(ofService(platform, "aws_scheduler_schedule", "nightly")).toHaveLength(1);
    expect(ofService(platform, "aws_sqs_queue", "jobs")).toHaveLength(2);
  });

  test("the scheduler role may pass exactly its task's execution and task roles", () => {
    const [, rolePolicy] = oneOf(platform, "aws_iam_role_policy", "nightly", "schedule");
    const statements = documentOf(platform, rolePolicy).statement as Json[];
    const passed = statements.filter((s) => s.actions.includes("iam:PassRole")).flatMap((s) => s.resources);
    const [execId] = oneOf(platform, "aws_iam_role", "nightly", "execution-role");
    const [taskId] = oneOf(platform, "aws_iam_role", "nightly", "task-role");
    expect(passed.sort()).toEqual(
      [ref("aws_iam_role", execId, "arn"), ref("aws_iam_role", taskId, "arn")].sort(),
    );
  });

  test("services join Service Connect with TLS from the private CA", () => {
    const [, engine] = oneOf(platform, "aws_ecs_service", "engine");
    const [caId] = Object.keys(resources(platform, "aws_acmpca_certificate_authority"));
    expect(engine.service_connect_configuration.enabled).toBe(true);
    expect(JSON.stringify(engine.service_connect_configuration)).toContain(
      ref("aws_acmpca_certificate_authority", caId, "arn"),
    );
    expect(engine.service_registries).toBeUndefined();
  });

  test("a TLS web service admits the ALB on its container port and its callers on the proxy port", () => {
    const sg = (name: string) =>
      ref("aws_security_group", oneOf(platform, "aws_security_group", name)[0], "id");
    const [albSgId] = Object.entries(resources(platform, "aws_security_group")).find(([, s]) =>
      (s["//"].metadata.path as string).startsWith("platform/load-balancer/"),
    )!;
    const rules = (type: string, owner: string) =>
      Object.values(resources(platform, type))
        .filter((r) => r.security_group_id === sg(owner) && r.referenced_security_group_id)
        .map((r) => [r.referenced_security_group_id, r.from_port])
        .sort();
    expect(rules("aws_vpc_security_group_ingress_rule", "api")).toEqual(
      [
        [ref("aws_security_group", albSgId, "id"), 8080],
        [sg("portal"), 9443],
      ].sort(),
    );
    expect(rules("aws_vpc_security_group_egress_rule", "portal")).toEqual([[sg("api"), 9443]]);
    const [, api] = oneOf(platform, "aws_ecs_service", "api");
    expect(api.service_connect_configuration.service[0].ingress_port_override).toBe(9443);
  });

  test("the TLS role may use the KMS key the services name as their TLS key", () => {
    const [, engine] = oneOf(platform, "aws_ecs_service", "engine");
    const tlsKey = engine.service_connect_configuration.service[0].tls.kms_key;
    const keyPolicy = Object.values(resources(platform, "aws_iam_role_policy")).find((p) =>
      (p["//"].metadata.path as string).startsWith("platform/service-connect-ca/"),
    )!;
    const [statement] = documentOf(platform, keyPolicy).statement as Json[];
    expect(statement.actions).toEqual(expect.arrayContaining(["kms:Encrypt", "kms:GenerateDataKeyPair"]));
    expect(statement.resources).toEqual([tlsKey]);
    expect(tlsKey).toMatch(/^\$\{aws_kms_key\.[^.]+\.arn\}$/);
  });

  test("the database admits exactly the services that use it and the bootstrap task", () => {
    const [dbSgId] = Object.entries(resources(platform, "aws_security_group")).find(([, sg]) =>
      (sg["//"].metadata.path as string).startsWith("platform/database/"),
    )!;
    const sources = Object.values(resources(platform, "aws_vpc_security_group_ingress_rule"))
      .filter((r) => r.security_group_id === ref("aws_security_group", dbSgId, "id"))
      .map((r) => r.referenced_security_group_id)
      .sort();
    const sg = (name: string) =>
      ref("aws_security_group", oneOf(platform, "aws_security_group", name)[0], "id");
    const [bootstrapSgId] = Object.entries(resources(platform, "aws_security_group")).find(([, g]) =>
      (g["//"].metadata.path as string).startsWith("platform/database-bootstrap/"),
    )!;
    expect(sources).toEqual(
      [sg("engine"), sg("jobs"), sg("nightly"), ref("aws_security_group", bootstrapSgId, "id")].sort(),
    );
  });

  test("a caller of a worker gets the queue URL and may send to exactly that queue", () => {
    const [, td] = oneOf(platform, "aws_ecs_task_definition", "api");
    const app = JSON.parse(td.container_definitions).find((c: Json) => c.name === "api");
    const [queueId] = oneOf(platform, "aws_sqs_queue", "jobs", "/queue/queue");
    expect(app.environment).toEqual(
      expect.arrayContaining([{ name: "JOBS_QUEUE_URL", value: ref("aws_sqs_queue", queueId, "url") }]),
    );
    const [, policy] = oneOf(platform, "aws_iam_role_policy", "api", "task-policy");
    const send = (documentOf(platform, policy).statement as Json[]).find((s) =>
      s.actions.includes("sqs:SendMessage"),
    );
    expect(send?.resources).toEqual([ref("aws_sqs_queue", queueId, "arn")]);
  });

  test("the Spot-only service runs its base on FARGATE_SPOT", () => {
    const [, engine] = oneOf(platform, "aws_ecs_service", "engine");
    expect(engine.capacity_provider_strategy).toEqual([
      { capacity_provider: "FARGATE_SPOT", base: 1, weight: 1 },
    ]);
  });
});

describe("platform stack helpers", () => {
  test("services are built callees first", () => {
    const order = buildOrder(configFrom(allKinds).services);
    expect(order.indexOf("engine")).toBeLessThan(order.indexOf("api"));
    expect(order.indexOf("jobs")).toBeLessThan(order.indexOf("api"));
    expect(order.indexOf("api")).toBeLessThan(order.indexOf("portal"));
  });

  test("a catch-all web service is evaluated after every specific route", () => {
    const { api, portal } = listenerPriorities(configFrom(allKinds).services);
    expect(portal).toBeGreaterThan(api);
    expect(portal).toBeGreaterThan(45000);
    expect(portal).toBeLessThanOrEqual(50000);
  });

  test("a service's priority does not move when other services are added, removed or renamed", () => {
    const services = configFrom(allKinds).services;
    const before = listenerPriorities(services);
    const others = { ...services, extra: { ...services.api, paths: ["/extra/*"] } };
    delete (others as Record<string, unknown>)["api"];
    const after = listenerPriorities(others);
    expect(after.portal).toBe(before.portal);
    expect(new Set(Object.values(after)).size).toBe(Object.keys(after).length);
  });
});
