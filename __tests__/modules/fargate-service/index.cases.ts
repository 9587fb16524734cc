import "cdktf/lib/testing/adapters/jest";
import { TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { BlueprintInput, ServiceSchema } from "../../../config/schema";
import { FargateService, FargateServiceProps } from "../../../modules/fargate-service";
import { Naming } from "../../../modules/naming";
import { all, Json, probe, probed, ref, synthScope } from "../synth-scope";
import { policyJsonStatements } from "../../support/find";

type ServiceInput = BlueprintInput["services"][string];

const ACCOUNT = "111122223333";
const KMS = "arn:aws:kms:us-east-1:111122223333:key/platform";
const SECRETS = {
  "api-keys": { arn: "${aws_secretsmanager_secret.api_keys.arn}", kmsKeyArn: KMS },
  unused: { arn: "${aws_secretsmanager_secret.unused.arn}" },
};
const LB = {
  securityGroupId: "${aws_security_group.alb.id}",
  productionListenerArn: "${aws_lb_listener.http.arn}",
  testListenerArn: "${aws_lb_listener.test.arn}",
  arnSuffix: "${aws_lb.main.arn_suffix}",
  priority: 100,
};
const DATABASE = {
  endpoint: "${aws_rds_cluster.main.endpoint}",
  port: 5432,
  name: "app",
  securityGroupId: "${aws_security_group.db.id}",
  user: {
    name: "orders",
    connectArn:
      "arn:aws:rds-db:us-east-1:123456789012:dbuser:${aws_rds_cluster.main.cluster_resource_id}/orders",
  },
};

function props(
  naming: Naming,
  name: string,
  service: ServiceInput,
  extra: Partial<FargateServiceProps> = {},
): FargateServiceProps {
  return {
    naming,
    name,
    service: ServiceSchema.parse(service),
    platform: {
      region: "us-east-1",
      accountId: ACCOUNT,
      partition: "aws",
      logRetentionDays: 14,
      tracing: { mode: "xray-daemon", samplingRate: 0.05, reservoir: 1 },
      capacityProviderStrategy: [
        { provider: "FARGATE", base: 1, weight: 1 },
        { provider: "FARGATE_SPOT", base: 0, weight: 3 },
      ],
      deregistrationDelaySeconds: 30,
      dnsTtlSeconds: 10,
      deploymentAlarms: { errorLogLines: 10, errorLogPattern: "?ERROR ?Exception" },
    },
    cluster: { name: "ecs-cluster-demo-test", arn: "${aws_ecs_cluster.main.arn}" },
    network: { vpcId: "vpc-1", privateSubnetIds: ["subnet-a", "subnet-b", "subnet-c"] },
    kmsKeyArn: KMS,
    secrets: SECRETS,
    namespace: {
      id: "ns-1",
      name: "demo.internal",
      arn: "arn:aws:servicediscovery:us-east-1:111122223333:namespace/ns-1",
    },
    ...extra,
  };
}

/** Resources of a type that belong to one service (its construct id prefixes the logical id). */
const of = (out: Json, type: string, service: string): Record<string, Json> =>
  Object.fromEntries(Object.entries(all(out, type)).filter(([id]) => id.startsWith(`${service}_`)));
const one = (out: Json, type: string, service: string): Json & { id: string } => {
  const entries = Object.entries(of(out, type, service));
  if (entries.length !== 1) throw new Error(`expected one ${type} of ${service}, found ${entries.length}`);
  return { ...entries[0][1], id: entries[0][0] };
};
const containers = (out: Json, service: string): Json[] =>
  JSON.parse(one(out, "aws_ecs_task_definition", service).container_definitions);
const env = (c: Json) => Object.fromEntries((c.environment as Json[]).map((e) => [e.name, e.value]));
const policyStatements = (out: Json, service: string, role: "execution" | "task"): Json[] => {
  const policies = all(out, "aws_iam_role_policy");
  const [, policy] = Object.entries(policies).find(
    ([id]) => id.startsWith(`${service}_`) && id.includes(`${role}-policy`),
  )!;
  return policyJsonStatements(policy.policy);
};

describe("FargateService: the four kinds side by side", () => {
  const built: Record<string, FargateService> = {};
  const out = synthScope((scope: Construct) => {
    const naming = new Naming("demo", "test");
    const add = (name: string, service: ServiceInput, extra: Partial<FargateServiceProps> = {}) =>
      (built[name] = new FargateService(scope, name, props(naming, name, service, extra)));
    add(
      "frontend",
      {
        kind: "web",
        cpu: 512,
        memory: 1024,
        port: 3000,
        paths: ["/*"],
        calls: ["orders"],
        secrets: { API_TOKEN: { secret: "api-keys", key: "token" } },
        scaling: { requestsPerTarget: 500 },
      },
      { loadBalancer: LB, callees: [{ name: "orders", port: 9090 }] },
    );
    add("matcher", { kind: "worker", cpu: 256, memory: 512 });
    const matcherQueue = built.matcher.workQueue!.queue;
    add(
      "orders",
      {
        kind: "backend",
        cpu: 1024,
        memory: 2048,
        port: 9090,
        usesDatabase: true,
        spotBase: 1,
        calls: ["matcher"],
        access: { s3Buckets: [{ name: "orders-archive" }] },
      },
      {
        database: DATABASE,
        queues: [{ name: "matcher", url: matcherQueue.url, arn: matcherQueue.arn }],
        dependsOn: [new TerraformVariable(scope, "capacity_providers", {})],
      },
    );
    add("report", { kind: "scheduled", cpu: 256, memory: 512, schedule: "rate(6 hours)" });
    built.frontend.calls(built.orders);
    for (const [name, s] of Object.entries(built)) probe(scope, `${name}_manifest`, s.manifest);
  });

  describe("web (CodeDeploy blue/green)", () => {
    const service = one(out, "aws_ecs_service", "frontend");
    const [app] = containers(out, "frontend");
    const tgs = of(out, "aws_lb_target_group", "frontend");
    const blueId = Object.keys(tgs).find((id) => id.includes("blue"))!;

    test("the ECS service's load balancer targets the task definition's app container and port", () => {
      expect(service.load_balancer).toEqual([
        {
          target_group_arn: ref("aws_lb_target_group", blueId, "arn"),
          container_name: app.name,
          container_port: 3000,
        },
      ]);
      expect(app.portMappings[0].containerPort).toBe(3000);
    });

    test("both target groups register task IPs (awsvpc)", () => {
      expect(Object.values(tgs).map((tg) => tg.target_type)).toEqual(["ip", "ip"]);
    });

    test("the service waits for its listener rules (a target group needs a load balancer first)", () => {
      const rules = Object.keys(of(out, "aws_lb_listener_rule", "frontend"));
      expect(rules).toHaveLength(2);
      expect(service.depends_on).toEqual(rules.map((id) => `aws_lb_listener_rule.${id}`));
    });

    test("CodeDeploy owns task definition, load balancer and (autoscaled) desired count", () => {
      expect(service.deployment_controller).toEqual({ type: "CODE_DEPLOY" });
      expect(service.lifecycle.ignore_changes).toEqual(
        expect.arrayContaining(["task_definition", "load_balancer", "desired_count"]),
      );
    });

    test("the CodeDeploy group deploys this ECS service", () => {
      const group = one(out, "aws_codedeploy_deployment_group", "frontend");
      expect(group.ecs_service).toEqual({
        cluster_name: "ecs-cluster-demo-test",
        service_name: ref("aws_ecs_service", service.id, "name"),
      });
    });

    test("ingress comes exactly from the ALB, on the container port", () => {
      const rules = Object.values(of(out, "aws_vpc_security_group_ingress_rule", "frontend"));
      expect(rules.map((r) => [r.referenced_security_group_id, r.from_port])).toEqual([
        ["${aws_security_group.alb.id}", 3000],
      ]);
    });

    test("scales on ALB requests of both its target groups (traffic alternates between them)", () => {
      const policy = Object.values(of(out, "aws_appautoscaling_policy", "frontend")).find(
        (p) => p.name.includes("requests") && p.policy_type === "TargetTrackingScaling",
      )!;
      const metrics = policy.target_tracking_scaling_policy_configuration.customized_metric_specification
        .metrics as Json[];
      const groups = metrics
        .flatMap((m) => m.metric_stat?.metric.dimensions ?? [])
        .filter((d: Json) => d.name === "TargetGroup")
        .map((d: Json) => d.value);
      expect(groups).toEqual([
        ref("aws_lb_target_group", blueId, "arn_suffix"),
        ref(
          "aws_lb_target_group",
          Object.keys(tgs).find((id) => id.includes("green"))!,
          "arn_suffix",
        ),
      ]);
    });

    test("gets the callee's Cloud Map URL and its secret only through `secrets`", () => {
      expect(env(app).ORDERS_URL).toBe("http://orders-test.demo.internal:9090");
      expect(app.secrets).toEqual([
        { name: "API_TOKEN", valueFrom: "${aws_secretsmanager_secret.api_keys.arn}:token::" },
      ]);
      expect(JSON.stringify(app.environment)).not.toContain("secretsmanager");
    });

    test("its execution role reads only the secret it uses and decrypts only that secret's key", () => {
      const statements = policyStatements(out, "frontend", "execution");
      const bySid = Object.fromEntries(statements.map((s) => [s.sid, s]));
      expect(bySid.ReadOwnSecrets.resources).toEqual(["${aws_secretsmanager_secret.api_keys.arn}"]);
      expect(bySid.DecryptOwnSecrets.resources).toEqual([KMS]);
      expect(bySid.PullOwnImage.resources).toEqual([
        `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/ecr-repo-demo-frontend-test`,
      ]);
      expect(bySid.WriteOwnLogs.resources).toEqual([
        `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/demo-frontend-test:*`,
        `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/ecs/sidecars/demo-frontend-test:*`,
      ]);
    });

    test("may reach the callee's security group on the callee's port", () => {
      const egress = Object.values(of(out, "aws_vpc_security_group_egress_rule", "frontend"));
      const ordersSg = one(out, "aws_security_group", "orders");
      expect(egress.filter((r) => r.referenced_security_group_id)).toEqual([
        expect.objectContaining({
          referenced_security_group_id: ref("aws_security_group", ordersSg.id, "id"),
          from_port: 9090,
          to_port: 9090,
        }),
      ]);
    });

    test("its handle and manifest describe the service, its target groups and CodeDeploy", () => {
      const handle = built.frontend.handle;
      expect(handle).toEqual(
        expect.objectContaining({
          name: "frontend",
          kind: "web",
          containerName: "frontend",
          containerPort: 3000,
        }),
      );
      expect(handle.targetGroups).toBeDefined();
      expect(handle.codedeploy).toBeDefined();
      // 5xx and unhealthy hosts of both target groups, and the app's error logs.
      expect(handle.deploymentAlarmNames).toHaveLength(5);
      // CodeDeploy blue/green: no DNS name would keep callers behind the gate.
      expect(handle.dnsName).toBeUndefined();
      expect(handle.discoveryName).toBeUndefined();
      const manifest = probed(out, "frontend_manifest") as Json;
      expect(manifest).toEqual(
        expect.objectContaining({
          kind: "web",
          repositoryUrl: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/ecr-repo-demo-frontend-test`,
          containerName: "frontend",
          containerPort: 3000,
          serviceName: ref("aws_ecs_service", service.id, "name"),
        }),
      );
      expect(manifest.codedeployApplication).toMatch(/aws_codedeploy_app/);
    });
  });

  describe("backend (rolling, database, Spot)", () => {
    const service = one(out, "aws_ecs_service", "orders");
    const [app] = containers(out, "orders");

    test("ingress comes exactly from its configured caller", () => {
      const rules = Object.values(of(out, "aws_vpc_security_group_ingress_rule", "orders"));
      const frontendSg = one(out, "aws_security_group", "frontend");
      expect(rules.map((r) => r.referenced_security_group_id)).toEqual([
        ref("aws_security_group", frontendSg.id, "id"),
      ]);
      expect(rules[0].from_port).toBe(9090);
    });

    test("rolls out with the circuit breaker and its own deployment alarms", () => {
      expect(service.deployment_controller).toEqual({ type: "ECS" });
      expect(service.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
      const alarms = Object.keys(of(out, "aws_cloudwatch_metric_alarm", "orders")).filter((id) =>
        id.includes("rollback"),
      );
      expect(alarms).toHaveLength(1);
      expect(service.alarms.alarm_names).toEqual(
        alarms.map((id) => ref("aws_cloudwatch_metric_alarm", id, "alarm_name")),
      );
      expect(service.lifecycle.ignore_changes).toEqual(["task_definition", "desired_count"]);
    });

    test("registers in its Cloud Map service", () => {
      const sd = one(out, "aws_service_discovery_service", "orders");
      expect(sd.name).toBe("orders-test");
      expect(service.service_registries).toEqual({
        registry_arn: ref("aws_service_discovery_service", sd.id, "arn"),
      });
    });

    test("runs on FARGATE_SPOT only with the configured Spot base", () => {
      expect(service.capacity_provider_strategy).toEqual([
        { capacity_provider: "FARGATE_SPOT", base: 1, weight: 1 },
      ]);
      expect(built.orders.capacityProviderStrategy).toEqual([
        { provider: "FARGATE_SPOT", base: 1, weight: 1 },
      ]);
    });

    test("gets the database endpoint and its own user as environment, and no database secret", () => {
      expect(env(app)).toEqual(
        expect.objectContaining({
          DB_HOST: "${aws_rds_cluster.main.endpoint}",
          DB_PORT: "5432",
          DB_NAME: "app",
          DB_USERNAME: "orders",
          DB_IAM_AUTH: "true",
        }),
      );
      expect(app.secrets).toEqual([]);
      expect(JSON.stringify(app)).not.toContain("master_user_secret");
    });

    test("its task role may connect as exactly its own database user, its execution role reads no secret", () => {
      const connect = policyStatements(out, "orders", "task").filter((s) =>
        (s.actions as string[]).includes("rds-db:connect"),
      );
      expect(connect).toEqual([expect.objectContaining({ resources: [DATABASE.user.connectArn] })]);
      expect(policyStatements(out, "orders", "execution").map((s) => s.sid)).not.toContain("ReadOwnSecrets");
    });

    test("may reach the database security group on the database port", () => {
      const egress = Object.values(of(out, "aws_vpc_security_group_egress_rule", "orders"));
      expect(egress).toContainEqual(
        expect.objectContaining({
          referenced_security_group_id: "${aws_security_group.db.id}",
          from_port: 5432,
        }),
      );
    });

    test("its task role reaches exactly its configured bucket, the called worker's queue and its database user besides X-Ray", () => {
      const statements = policyStatements(out, "orders", "task");
      const resources = statements.filter((s) => s.sid !== "XRayWrite").flatMap((s) => s.resources);
      const queue = Object.keys(of(out, "aws_sqs_queue", "matcher")).find((id) => !id.includes("dead"))!;
      expect(resources).toEqual([
        "arn:aws:s3:::orders-archive",
        "arn:aws:s3:::orders-archive/*",
        ref("aws_sqs_queue", queue, "arn"),
        KMS,
        DATABASE.user.connectArn,
      ]);
    });

    test("gets the called worker's queue URL", () => {
      const queue = Object.keys(of(out, "aws_sqs_queue", "matcher")).find((id) => !id.includes("dead"))!;
      expect(env(app).MATCHER_QUEUE_URL).toBe(ref("aws_sqs_queue", queue, "url"));
    });

    test("waits for what the stack says every ECS service must wait for", () => {
      expect(service.depends_on).toEqual(["var.capacity_providers"]);
    });
  });

  describe("worker", () => {
    const [app] = containers(out, "matcher");
    const queue = Object.entries(of(out, "aws_sqs_queue", "matcher")).find(([id]) => !id.includes("dead"))!;

    test("gets its queue URL and consumes exactly its queue", () => {
      expect(env(app).QUEUE_URL).toBe(ref("aws_sqs_queue", queue[0], "url"));
      const consume = policyStatements(out, "matcher", "task").find((s) => s.sid === "ConsumeOwnQueue")!;
      expect(consume.resources).toEqual([ref("aws_sqs_queue", queue[0], "arn")]);
    });

    test("scales on its queue's backlog per task", () => {
      const backlog = Object.values(of(out, "aws_appautoscaling_policy", "matcher")).find((p) =>
        p.name.includes("backlog"),
      )!;
      const metrics =
        backlog.target_tracking_scaling_policy_configuration.customized_metric_specification.metrics;
      expect(JSON.stringify(metrics)).toContain(ref("aws_sqs_queue", queue[0], "name"));
    });

    test("listens for nobody: no ingress", () => {
      expect(of(out, "aws_vpc_security_group_ingress_rule", "matcher")).toEqual({});
    });

    test("its handle names its queue and dead-letter queue", () => {
      expect(built.matcher.handle.queue).toBeDefined();
      expect(built.matcher.handle.targetGroups).toBeUndefined();
    });
  });

  describe("scheduled", () => {
    test("has no ECS service, Cloud Map registration or scaling", () => {
      for (const type of ["aws_ecs_service", "aws_service_discovery_service", "aws_appautoscaling_target"]) {
        expect(of(out, type, "report")).toEqual({});
      }
      expect(built.report.ecsService).toBeUndefined();
    });

    test("its schedule runs the latest revision of its own task definition family", () => {
      const schedule = one(out, "aws_scheduler_schedule", "report");
      const td = one(out, "aws_ecs_task_definition", "report");
      expect(schedule.target.ecs_parameters.task_definition_arn).toBe(
        ref("aws_ecs_task_definition", td.id, "arn_without_revision"),
      );
      expect(schedule.schedule_expression).toBe("rate(6 hours)");
    });

    test("its handle and manifest have no ECS service", () => {
      expect(built.report.handle.ecsServiceName).toBeUndefined();
      expect(built.report.handle.schedule).toBeDefined();
      expect((probed(out, "report_manifest") as Json).serviceName).toBeUndefined();
    });
  });

  test("every task definition has a valid Fargate CPU/memory pair", () => {
    const sizes = Object.values(all(out, "aws_ecs_task_definition")).map((td) => [td.cpu, td.memory]);
    expect(sizes.sort()).toEqual(
      [
        ["1024", "2048"],
        ["256", "512"],
        ["256", "512"],
        ["512", "1024"],
      ].sort(),
    );
  });
});

describe("FargateService with Service Connect TLS and ADOT", () => {
  const tls = {
    caArn: "${aws_acmpca_certificate_authority.mesh.arn}",
    roleArn: "${aws_iam_role.sc_tls.arn}",
    kmsKeyArn: KMS,
  };
  const built: Record<string, FargateService> = {};
  const out = synthScope((scope: Construct) => {
    const naming = new Naming("mesh", "test");
    const extra: Partial<FargateServiceProps> = {
      serviceConnect: { namespaceArn: "${aws_service_discovery_private_dns_namespace.ns.arn}", tls },
    };
    const adot = (p: FargateServiceProps): FargateServiceProps => ({
      ...p,
      platform: { ...p.platform, tracing: { mode: "adot", samplingRate: 0.1, reservoir: 1 } },
    });
    built.web = new FargateService(
      scope,
      "web",
      adot(
        props(
          naming,
          "web",
          { kind: "web", cpu: 256, memory: 512, paths: ["/*"], deployment: { strategy: "rolling" } },
          {
            ...extra,
            loadBalancer: LB,
            callees: [{ name: "ledger", port: 8080 }],
          },
        ),
      ),
    );
    built.ledger = new FargateService(
      scope,
      "ledger",
      adot(props(naming, "ledger", { kind: "backend", cpu: 256, memory: 512 }, extra)),
    );
    built.settle = new FargateService(
      scope,
      "settle",
      adot(
        props(
          naming,
          "settle",
          { kind: "worker", cpu: 256, memory: 512 },
          { ...extra, callees: [{ name: "ledger", port: 8080 }] },
        ),
      ),
    );
    built.job = new FargateService(
      scope,
      "job",
      adot(
        props(naming, "job", { kind: "scheduled", cpu: 256, memory: 512, schedule: "rate(1 day)" }, extra),
      ),
    );
    built.settle.calls(built.web);
    built.settle.calls(built.ledger);
  });

  test("a web service with TLS moves its proxy off the container port the ALB uses", () => {
    const web = one(out, "aws_ecs_service", "web");
    expect(web.load_balancer[0].container_port).toBe(8080);
    expect(web.service_connect_configuration.service[0].ingress_port_override).toBe(9443);
    expect(built.web.ingressPort).toBe(9443);
    expect(one(out, "aws_ecs_service", "ledger").service_connect_configuration.service[0]).not.toHaveProperty(
      "ingress_port_override",
    );
    expect(built.ledger.ingressPort).toBe(8080);
  });

  test("callers of a TLS web service reach its proxy port, the ALB its container port", () => {
    const sg = (name: string) => ref("aws_security_group", one(out, "aws_security_group", name).id, "id");
    const ingress = Object.values(of(out, "aws_vpc_security_group_ingress_rule", "web"))
      .map((r) => [r.referenced_security_group_id, r.from_port])
      .sort();
    expect(ingress).toEqual(
      [
        ["${aws_security_group.alb.id}", 8080],
        [sg("settle"), 9443],
      ].sort(),
    );
    const egress = Object.values(of(out, "aws_vpc_security_group_egress_rule", "settle"))
      .filter((r) => r.referenced_security_group_id)
      .map((r) => [r.referenced_security_group_id, r.from_port])
      .sort();
    expect(egress).toEqual(
      [
        [sg("web"), 9443],
        [sg("ledger"), 8080],
      ].sort(),
    );
  });

  test("services join Service Connect with TLS instead of a separate Cloud Map registration", () => {
    expect(all(out, "aws_service_discovery_service")).toEqual({});
    const ledger = one(out, "aws_ecs_service", "ledger");
    expect(ledger.service_registries).toBeUndefined();
    expect(ledger.service_connect_configuration.service[0]).toEqual(
      expect.objectContaining({
        port_name: "ledger",
        discovery_name: "ledger-test",
        client_alias: { port: 8080, dns_name: "ledger-test.demo.internal" },
        tls: expect.objectContaining({ issuer_cert_authority: { aws_pca_authority_arn: tls.caArn } }),
      }),
    );
  });

  test("handles name the Service Connect discovery name of serving services only", () => {
    expect(built.ledger.handle.discoveryName).toBe("ledger-test");
    expect(built.settle.handle.discoveryName).toBeUndefined();
  });

  test("the callee's client alias is exactly the URL the caller gets", () => {
    const [app] = containers(out, "web");
    expect(env(app).LEDGER_URL).toBe("http://ledger-test.demo.internal:8080");
  });

  test("a rolling web service behind the ALB uses the ECS controller with grace period and leaves task definition and count to releases and scaling", () => {
    const web = one(out, "aws_ecs_service", "web");
    expect(web.deployment_controller).toEqual({ type: "ECS" });
    expect(web.load_balancer).toHaveLength(1);
    expect(web.health_check_grace_period_seconds).toBe(60);
    expect(web.lifecycle.ignore_changes).toEqual(["task_definition", "desired_count"]);
    expect(built.web.blueGreen).toBeUndefined();
  });

  test("a worker joins Service Connect as a client only, serving no endpoint", () => {
    const settle = one(out, "aws_ecs_service", "settle");
    expect(settle.service_connect_configuration).toEqual(
      expect.objectContaining({
        enabled: true,
        namespace: "${aws_service_discovery_private_dns_namespace.ns.arn}",
      }),
    );
    expect(settle.service_connect_configuration.service).toBeUndefined();
    expect(env(containers(out, "settle")[0]).LEDGER_URL).toBe("http://ledger-test.demo.internal:8080");
  });

  test("the scheduled job gets no Service Connect (it runs outside an ECS service)", () => {
    const [app] = containers(out, "job");
    expect(app.portMappings).toEqual([]);
  });

  test("ADOT tasks may write the collector's EMF metrics to the group the platform creates", () => {
    const sids = policyStatements(out, "ledger", "task").map((s) => s.sid);
    expect(sids).toContain("WriteEmfMetrics");
    const groups = Object.values(of(out, "aws_cloudwatch_log_group", "ledger")).map((g) => g.name);
    expect(groups).toContain("/ecs/metrics/mesh-ledger-test");
  });
});

describe("FargateService validation", () => {
  const build =
    (name: string, service: ServiceInput, extra: Partial<FargateServiceProps> = {}) =>
    () =>
      synthScope(
        (scope) => new FargateService(scope, name, props(new Naming("demo", "test"), name, service, extra)),
      );
  const WEB: ServiceInput = { kind: "web", cpu: 256, memory: 512, paths: ["/*"] };

  test("fails when a web service has no load balancer", () => {
    expect(build("web", WEB)).toThrow(/web: a web service needs the loadBalancer prop/);
  });

  test("fails when a non-web service is given a load balancer", () => {
    expect(build("api", { kind: "backend", cpu: 256, memory: 512 }, { loadBalancer: LB })).toThrow(
      /only web services sit behind the ALB \(kind is backend\)/,
    );
  });

  test("fails when usesDatabase has no database", () => {
    expect(build("api", { kind: "backend", cpu: 256, memory: 512, usesDatabase: true })).toThrow(
      /usesDatabase is true but no database was given/,
    );
  });

  test("fails when a scheduled job calls services over Service Connect", () => {
    expect(
      build(
        "job",
        { kind: "scheduled", cpu: 256, memory: 512, schedule: "rate(1 day)" },
        {
          serviceConnect: { namespaceArn: "arn:ns" },
          callees: [{ name: "api", port: 8080 }],
        },
      ),
    ).toThrow(/scheduled job cannot reach services over Service Connect/);
  });

  test("fails when a TLS web service listens on the Service Connect proxy's port", () => {
    expect(
      build(
        "web",
        { ...WEB, port: 9443, deployment: { strategy: "rolling" } },
        {
          loadBalancer: LB,
          serviceConnect: {
            namespaceArn: "arn:ns",
            tls: { caArn: "arn:pca", roleArn: "arn:role", kmsKeyArn: KMS },
          },
        },
      ),
    ).toThrow(/web: port 9443 is the Service Connect TLS proxy's ingress port behind the ALB/);
  });

  test("fails when ECS Exec is enabled on a read-only root filesystem", () => {
    expect(build("api", { kind: "backend", cpu: 256, memory: 512 }, { enableExecuteCommand: true })).toThrow(
      /api: enableExecuteCommand needs readonlyRootFilesystem: false/,
    );
  });

  test("fails when a scheduled job has no schedule expression", () => {
    expect(build("job", { kind: "scheduled", cpu: 256, memory: 512 })).toThrow(
      /job: a scheduled job needs a schedule expression/,
    );
  });

  test("fails when a secret is not provided", () => {
    expect(
      build("api", { kind: "backend", cpu: 256, memory: 512, secrets: { X: { secret: "missing" } } }),
    ).toThrow(/secrets.X names secret missing, which was not provided \(provided: api-keys, unused\)/);
  });

  test("fails when a config secret collides with the database user variable", () => {
    expect(
      build(
        "api",
        {
          kind: "backend",
          cpu: 256,
          memory: 512,
          usesDatabase: true,
          secrets: { DB_USERNAME: { secret: "api-keys" } },
        },
        { database: DATABASE },
      ),
    ).toThrow(/DB_USERNAME is both a secret and an environment variable/);
  });
});
