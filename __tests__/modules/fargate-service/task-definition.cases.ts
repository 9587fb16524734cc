import "cdktf/lib/testing/adapters/jest";
import { BlueprintInput, ServiceSchema } from "../../../config/schema";
import {
  ADOT_COLLECTOR_IMAGE,
  ServiceTaskDefinition,
  ServiceTaskDefinitionProps,
  XRAY_DAEMON_IMAGE,
} from "../../../modules/fargate-service/task-definition";
import { Naming } from "../../../modules/naming";
import { all, Json, only, ref, synthScope } from "../synth-scope";

type ServiceInput = BlueprintInput["services"][string];
const KEY = "arn:aws:kms:us-east-1:111122223333:key/logs";
const ACCOUNT = "${data.aws_caller_identity.current.account_id}";
const RELEASED = "${aws_ssm_parameter.release.insecure_value}";

const props = (service: ServiceInput, extra: Partial<ServiceTaskDefinitionProps> = {}) => ({
  naming: new Naming("demo", "test"),
  serviceName: "api",
  service: ServiceSchema.parse(service),
  image: RELEASED,
  region: "us-east-1",
  accountId: ACCOUNT,
  logRetentionDays: 30,
  kmsKeyArn: KEY,
  tracing: { mode: "xray-daemon" as const, samplingRate: 0.05, reservoir: 1 },
  executionRoleArn: "${aws_iam_role.exec.arn}",
  taskRoleArn: "${aws_iam_role.task.arn}",
  ...extra,
});

function synth(service: ServiceInput, extra: Partial<ServiceTaskDefinitionProps> = {}): Json {
  return synthScope((scope) => new ServiceTaskDefinition(scope, "task", props(service, extra)));
}
const containersOf = (out: Json): Json[] =>
  JSON.parse(only(out, "aws_ecs_task_definition").container_definitions);
const env = (c: Json) => Object.fromEntries((c.environment as Json[]).map((e) => [e.name, e.value]));

describe("ServiceTaskDefinition of a backend with secrets, health check and read-only root", () => {
  const out = synth(
    {
      kind: "backend",
      cpu: 1024,
      memory: 2048,
      port: 9090,
      user: "1000:1000",
      environment: { LOG_LEVEL: "info" },
      healthCheck: {
        command: "wget -q -O- localhost:9090/health",
        timeoutSeconds: 90,
        gracePeriodSeconds: 600,
      },
    },
    {
      environment: { API_GATEWAY_URL: "http://api-gateway-test.demo.internal:8080" },
      secrets: [
        { name: "DB_PASSWORD", valueFrom: "${aws_secretsmanager_secret.db.arn}:password::" },
        { name: "API_KEY", valueFrom: "${aws_secretsmanager_secret.api.arn}" },
      ],
    },
  );
  const td = only(out, "aws_ecs_task_definition");
  const groups = all(out, "aws_cloudwatch_log_group");
  const groupNamed = (name: string) => {
    const [id, body] = Object.entries(groups).find(([, g]) => g.name === name)!;
    return { ...body, id };
  };
  const logGroup = groupNamed("/ecs/demo-api-test");
  const sidecarGroup = groupNamed("/ecs/sidecars/demo-api-test");
  const [app, sidecar] = containersOf(out);

  test("is a Fargate awsvpc task with the configured CPU and memory on X86_64 Linux", () => {
    expect(td).toEqual(
      expect.objectContaining({
        family: "task-demo-api-test",
        requires_compatibilities: ["FARGATE"],
        network_mode: "awsvpc",
        cpu: "1024",
        memory: "2048",
        runtime_platform: { operating_system_family: "LINUX", cpu_architecture: "X86_64" },
      }),
    );
  });

  test("runs with the given execution and task roles", () => {
    expect(td.execution_role_arn).toBe("${aws_iam_role.exec.arn}");
    expect(td.task_role_arn).toBe("${aws_iam_role.task.arn}");
  });

  test("app container is named after the service and runs the image its release record names", () => {
    expect(app.name).toBe("api");
    expect(app.essential).toBe(true);
    expect(app.image).toBe(RELEASED);
  });

  test("app container maps its named port without Service Connect's appProtocol", () => {
    expect(app.portMappings).toEqual([{ name: "api", containerPort: 9090, protocol: "tcp" }]);
  });

  test("secrets go to `secrets` and never into `environment`", () => {
    expect(app.secrets).toEqual([
      { name: "API_KEY", valueFrom: "${aws_secretsmanager_secret.api.arn}" },
      { name: "DB_PASSWORD", valueFrom: "${aws_secretsmanager_secret.db.arn}:password::" },
    ]);
    const values = JSON.stringify(app.environment);
    expect(values).not.toContain("secretsmanager");
    expect(Object.keys(env(app))).not.toEqual(expect.arrayContaining(["API_KEY"]));
  });

  test("fails when a config variable would replace one the platform sets (no silent override)", () => {
    expect(() =>
      synth(
        { kind: "backend", cpu: 256, memory: 512, environment: { AWS_XRAY_DAEMON_ADDRESS: "10.0.0.1:2000" } },
        {},
      ),
    ).toThrow(
      /services\.api\.environment: AWS_XRAY_DAEMON_ADDRESS is set by the platform; choose another name \[at .*task\]/,
    );
  });

  test("environment merges derived values, tracing and config", () => {
    expect(env(app)).toEqual({
      API_GATEWAY_URL: "http://api-gateway-test.demo.internal:8080",
      AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1:2000",
      AWS_XRAY_TRACING_NAME: "api.demo@test",
      LOG_LEVEL: "info",
    });
  });

  test("container health check uses CMD-SHELL within ECS limits", () => {
    expect(app.healthCheck).toEqual({
      command: ["CMD-SHELL", "wget -q -O- localhost:9090/health"],
      interval: 30,
      timeout: 60,
      retries: 3,
      startPeriod: 300,
    });
  });

  test("read-only root filesystem gets a writable /tmp volume", () => {
    expect(app.readonlyRootFilesystem).toBe(true);
    expect(app.mountPoints).toEqual([{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }]);
    expect(td.volume).toEqual([{ name: "tmp" }]);
  });

  test("runs as the configured user", () => {
    expect(app.user).toBe("1000:1000");
  });

  test("the app logs alone to its KMS-encrypted group; the sidecar to the sidecars' group, same key and retention", () => {
    // No EMF group with the X-Ray daemon.
    expect(Object.keys(groups)).toHaveLength(2);
    for (const g of [logGroup, sidecarGroup])
      expect(g).toEqual(expect.objectContaining({ retention_in_days: 30, kms_key_id: KEY }));
    for (const [c, g] of [
      [app, logGroup],
      [sidecar, sidecarGroup],
    ] as const) {
      expect(c.logConfiguration.logDriver).toBe("awslogs");
      expect(c.logConfiguration.options["awslogs-group"]).toBe(ref("aws_cloudwatch_log_group", g.id, "name"));
    }
    expect(app.logConfiguration.options["awslogs-stream-prefix"]).toBe("api");
    expect(sidecar.logConfiguration.options["awslogs-stream-prefix"]).toBe("xray-daemon");
  });

  test("sidecar images are pinned to a released version, never a moving tag", () => {
    for (const image of [XRAY_DAEMON_IMAGE, ADOT_COLLECTOR_IMAGE]) {
      expect(image).toMatch(/:v?\d+\.\d+\.\d+$/);
    }
    expect(sidecar.image).toBe(XRAY_DAEMON_IMAGE);
  });

  test("X-Ray daemon sidecar listens on UDP 2000, is not essential and takes a small share", () => {
    expect(sidecar).toEqual(
      expect.objectContaining({
        name: "xray-daemon",
        image: "public.ecr.aws/xray/aws-xray-daemon:3.6.0",
        essential: false,
        cpu: 32,
        memoryReservation: 128,
        portMappings: [{ containerPort: 2000, protocol: "udp" }],
      }),
    );
  });
});

describe("ServiceTaskDefinition of a web service with ADOT and Service Connect", () => {
  const out = synth(
    { kind: "web", cpu: 256, memory: 512, paths: ["/*"], readonlyRootFilesystem: false, image: "shop" },
    { tracing: { mode: "adot", samplingRate: 0.05, reservoir: 1 }, serviceConnect: true },
  );
  const td = only(out, "aws_ecs_task_definition");
  const [app, sidecar] = containersOf(out);

  test("port mapping declares appProtocol http for Service Connect", () => {
    expect(app.portMappings).toEqual([
      { name: "api", containerPort: 8080, protocol: "tcp", appProtocol: "http" },
    ]);
  });

  test("the repository is named after the configured image, not the service", () => {
    let url = "";
    synthScope((scope) => {
      url = new ServiceTaskDefinition(
        scope,
        "task",
        props({ kind: "web", cpu: 256, memory: 512, paths: ["/*"], image: "shop" }),
      ).repositoryUrl;
    });
    expect(url).toBe(`${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/ecr-repo-demo-shop-test`);
  });

  test("ADOT collector runs an explicit configuration from its environment; the app exports OTLP to it", () => {
    expect(sidecar).toEqual(
      expect.objectContaining({
        name: "aws-otel-collector",
        image: "public.ecr.aws/aws-observability/aws-otel-collector:v0.50.0",
        command: ["--config=env:ADOT_COLLECTOR_CONFIG"],
        essential: false,
      }),
    );
    expect(env(app)).toEqual(
      expect.objectContaining({
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4317",
        OTEL_SERVICE_NAME: "api.demo@test",
        OTEL_TRACES_SAMPLER: "xray",
        OTEL_TRACES_SAMPLER_ARG: "endpoint=http://127.0.0.1:2000",
      }),
    );
    expect(env(app).AWS_XRAY_DAEMON_ADDRESS).toBeUndefined();
  });

  test("the collector serves X-Ray remote sampling and writes EMF to the platform's metrics log group", () => {
    const config = JSON.parse(env(sidecar).ADOT_COLLECTOR_CONFIG);
    expect(config.service.extensions).toEqual(["awsproxy"]);
    expect(config.extensions.awsproxy).toEqual({ endpoint: "127.0.0.1:2000" });
    expect(config.service.pipelines.traces.exporters).toEqual(["awsxray"]);
    // {TaskId} in the EMF stream name comes from the ECS resource attributes.
    expect(config.exporters.awsemf.log_stream_name).toBe("api/{TaskId}");
    expect(config.processors.resourcedetection).toEqual(
      expect.objectContaining({ detectors: ["env", "ecs"] }),
    );
    for (const pipeline of ["traces", "metrics"])
      expect(config.service.pipelines[pipeline].processors).toEqual(["resourcedetection", "batch"]);
    expect(config.receivers.otlp.protocols).toEqual({
      grpc: { endpoint: "127.0.0.1:4317" },
      http: { endpoint: "127.0.0.1:4318" },
    });
    expect(config.service.pipelines.metrics.exporters).toEqual(["awsemf"]);
    expect(config.exporters.awsemf).toEqual(
      expect.objectContaining({
        log_group_name: "/ecs/metrics/demo-api-test",
        namespace: "Platform/demo-test",
      }),
    );
    const groups = Object.values(all(out, "aws_cloudwatch_log_group"));
    expect(groups.find((g) => g.name === "/ecs/metrics/demo-api-test")).toEqual(
      expect.objectContaining({ retention_in_days: 30, kms_key_id: KEY }),
    );
  });

  test("writable root filesystem needs no /tmp volume and no health check is set unless configured", () => {
    expect(app.readonlyRootFilesystem).toBe(false);
    expect(app.mountPoints).toEqual([]);
    expect(td.volume).toBeUndefined();
    expect(app.healthCheck).toBeUndefined();
    expect(app.user).toBeUndefined();
  });
});

describe.each([
  ["scheduled job", { kind: "scheduled", cpu: 256, memory: 512, schedule: "rate(6 hours)" }],
  ["worker", { kind: "worker", cpu: 256, memory: 512 }],
] as [string, ServiceInput][])("ServiceTaskDefinition of a %s", (_kind, service) => {
  const [app] = containersOf(synth(service));

  test("maps no port (nothing may call it)", () => {
    expect(app.portMappings).toEqual([]);
  });
});

describe("ServiceTaskDefinition validation", () => {
  test("fails when CPU and memory are not a Fargate size", () => {
    expect(() => synth({ kind: "backend", cpu: 256, memory: 4096 })).toThrow(
      /api: cpu 256 \/ memory 4096 is not a Fargate size \(512, 1024 or 2048 MiB\)/,
    );
  });

  test("fails when a name is both a secret and an environment variable", () => {
    expect(() =>
      synth(
        { kind: "backend", cpu: 256, memory: 512, environment: { TOKEN: "x" } },
        { secrets: [{ name: "TOKEN", valueFrom: "arn:s" }] },
      ),
    ).toThrow(/TOKEN is both a secret and an environment variable/);
  });

  test("fails when a secret is injected twice", () => {
    expect(() =>
      synth(
        { kind: "backend", cpu: 256, memory: 512 },
        {
          secrets: [
            { name: "TOKEN", valueFrom: "arn:a" },
            { name: "TOKEN", valueFrom: "arn:b" },
          ],
        },
      ),
    ).toThrow(/secret TOKEN is injected twice/);
  });
});
