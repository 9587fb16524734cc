/**
 * Every class of blueprint mistake that used to be accepted into a broken or insecure platform,
 * or reported unclearly: each is now refused at load time with the field path, the value and
 * what is allowed. One test per example (the guardrail policies are tested in
 * __tests__/modules/guardrails/rules.cases.ts, the entry point in __tests__/main.test.ts).
 */
import { mkdtempSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfig } from "../../config";
import type { BlueprintInput } from "../../config";
import { blueprintWith, configFrom } from "../support/synth";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const tmp = mkdtempSync(join(tmpdir(), "blueprint-mistakes-"));
const file = (name: string, content: string | Buffer) => {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
};
/** Validates a built-in blueprint after `edit`; the thunk throws the ConfigError. */
const from = (name: string, edit: (bp: Any) => void) => (): unknown =>
  configFrom(blueprintWith(name, edit as (bp: BlueprintInput) => void));
const trading = (edit: (bp: Any) => void) => from("trading", edit);
const fintech = (edit: (bp: Any) => void) => from("fintech", edit);
const web = (paths: string[]) => ({ kind: "web", cpu: 256, memory: 512, paths });
const worker = { kind: "worker", cpu: 256, memory: 512 };

describe("names that collide with what the platform creates", () => {
  test.each(["trading-alb", "trading-db"])(
    "fails for a service named %s (the blueprint's shared resources)",
    (name) => {
      expect(trading((bp) => (bp.services[name] = { kind: "backend", cpu: 256, memory: 512 }))).toThrow(
        new RegExp(`services\\.${name}: would share the name of the blueprint's own`),
      );
    },
  );

  test("fails for a worker jobs next to a worker jobs-dlq", () => {
    expect(
      trading((bp) => {
        bp.services.jobs = worker;
        bp.services["jobs-dlq"] = worker;
      }),
    ).toThrow(
      /services\.jobs-dlq: would share resource names with service jobs, whose own resources are named jobs-dlq/,
    );
  });

  test.each(["xray-daemon", "aws-otel-collector", "database"])(
    "fails for a service named %s (reserved)",
    (name) => {
      expect(trading((bp) => (bp.services[name] = { kind: "backend", cpu: 256, memory: 512 }))).toThrow(
        new RegExp(`services\\.${name}: "${name}" is reserved by the platform`),
      );
    },
  );

  test("fails for an app port equal to the X-Ray daemon's (2000)", () => {
    expect(trading((bp) => (bp.services["processing-service"].port = 2000))).toThrow(
      /services\.processing-service\.port: 2000 is used by the tracing sidecar \(xray-daemon: 2000\)/,
    );
  });

  test("fails for an app port equal to the ADOT collector's (4317)", () => {
    expect(fintech((bp) => (bp.services.accounts.port = 4317))).toThrow(
      /services\.accounts\.port: 4317 is used by the tracing sidecar \(adot: 2000, 4317, 4318, 8125, 13133\)/,
    );
  });
});

describe("ALB routing", () => {
  test("fails for path characters the ALB rejects", () => {
    expect(trading((bp) => (bp.services["api-gateway"].paths = ["/api v1/*"]))).toThrow(
      /services\.api-gateway\.paths\.0: "\/api v1\/\*" is not an ALB path pattern/,
    );
  });

  test('"/**" is not a catch-all: it overlaps another service\'s /api/*', () => {
    expect(trading((bp) => (bp.services.frontend.paths = ["/**"]))).toThrow(
      /\/api\/\* overlaps \/\*\* of service frontend|\/\*\* overlaps \/api\/\* of service/,
    );
  });

  test("fails for /api/v2/* on one service next to /api/* on another (priorities do not order them)", () => {
    expect(trading((bp) => (bp.services.v2 = { ...web(["/api/v2/*"]), port: 8081 }))).toThrow(
      /services\.v2\.paths: \/api\/v2\/\* overlaps \/api\/\* of service api-gateway/,
    );
  });

  test("the exact /* stays a catch-all next to specific routes", () => {
    expect(trading(() => undefined)).not.toThrow();
  });

  test("fails for more than 5 path conditions on one service", () => {
    expect(
      trading((bp) => (bp.services["api-gateway"].paths = ["/a", "/b", "/c", "/d", "/e", "/f"])),
    ).toThrow(/services\.api-gateway\.paths: 6 path patterns; an ALB listener rule takes 1 to 5/);
  });

  test("fails for a health-check timeout not below the interval", () => {
    expect(
      trading((bp) => (bp.services.frontend.healthCheck = { intervalSeconds: 10, timeoutSeconds: 10 })),
    ).toThrow(/services\.frontend\.healthCheck\.timeoutSeconds: 10 must be less than intervalSeconds \(10\)/);
  });

  test.each(["500", "100-399", "200-599"])(
    "fails for a health-check matcher %s outside 200-499",
    (matcher) => {
      expect(trading((bp) => (bp.services.frontend.healthCheck = { matcher }))).toThrow(
        /services\.frontend\.healthCheck\.matcher: .* outside 200-499/,
      );
    },
  );

  test("fails for a test listener on port 80", () => {
    expect(trading((bp) => (bp.loadBalancer = { testListenerPort: 80 }))).toThrow(
      /loadBalancer\.testListenerPort: 80 is a production listener port \(80, 443\)/,
    );
  });

  test("fails for a test listener open to the internet in halves (0.0.0.0/1)", () => {
    expect(trading((bp) => (bp.loadBalancer = { testListenerCidrs: ["0.0.0.0/1"] }))).toThrow(
      /loadBalancer\.testListenerCidrs\.0: 0\.0\.0\.0\/1: the test listener must not be open to the internet/,
    );
  });
});

describe("values AWS rejects", () => {
  test("fails for an unknown region, suggesting the nearest", () => {
    expect(trading((bp) => (bp.region = "zz-north-9"))).toThrow(
      /region: "zz-north-9": must be one of "us-east-1"/,
    );
    expect(trading((bp) => (bp.region = "eu-wset-1"))).toThrow(/did you mean "eu-west-1"\?/);
  });

  test("fails for availability zones of another region", () => {
    expect(
      trading((bp) => (bp.network = { availabilityZones: ["us-west-2a", "us-west-2b", "us-west-2c"] })),
    ).toThrow(/network\.availabilityZones\.0: us-west-2a is not in the blueprint's region us-east-1/);
  });

  test("fails for a tag value over 256 characters", () => {
    expect(trading((bp) => (bp.tags.Owner = "x".repeat(257)))).toThrow(
      /tags\.Owner: "x+": 257 characters; a tag value has at most 256/,
    );
  });

  test("fails for an aws: tag key", () => {
    expect(trading((bp) => (bp.tags["aws:owner"] = "me"))).toThrow(/the aws: prefix is reserved for AWS/);
  });

  test("fails for more than 50 tags with the platform's", () => {
    expect(
      trading((bp) => {
        for (let i = 0; i < 45; i++) bp.tags[`Extra${i}`] = "x";
      }),
    ).toThrow(/tags: \d+ tags plus the platform's 6 make 5\d; AWS allows 50 per resource/);
  });

  test("fails for a tag key the platform sets (it would be overwritten)", () => {
    expect(trading((bp) => (bp.tags.ManagedBy = "me"))).toThrow(/tags\.ManagedBy: is set by the platform/);
  });

  test("fails for an unknown sslPolicy, suggesting the nearest", () => {
    expect(trading((bp) => (bp.loadBalancer = { sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-07" }))).toThrow(
      /loadBalancer\.sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-07": must be one of .*did you mean "ELBSecurityPolicy-TLS13-1-2-2021-06"/,
    );
  });

  test("fails for a certificate from another region", () => {
    expect(
      trading(
        (bp) =>
          (bp.loadBalancer = {
            https: true,
            certificateArn:
              "arn:aws:acm:eu-west-1:111122223333:certificate/0a1b2c3d-1234-5678-9abc-def012345678",
          }),
      ),
    ).toThrow(/loadBalancer\.certificateArn: is in eu-west-1; the ALB is in us-east-1/);
  });

  const job = (schedule: string) => (bp: Any) =>
    (bp.services.report = { kind: "scheduled", cpu: 256, memory: 512, schedule });
  test.each([
    ["cron(61 * * * ? *)", /minutes 61 is not a value, range or list of 0-59/],
    ["cron(0 12 * * * *)", /exactly one of day-of-month and day-of-week must be \?/],
    ["cron(0 12 ? * MON-XYZ *)", /day-of-week MON-XYZ is not a value/],
    ["cron(0 12 1 13 ? *)", /month 13 is not a value/],
    ["cron(0 12 1 * ? 2300)", /year 2300 is not a value/],
    ["at(2026-02-30T10:00:00)", /2026-02-30T10:00:00 is not a real date and time/],
    ["rate(1 hours)", /use minute\/hour\/day for 1 and the plural otherwise/],
  ])("fails for the schedule %s EventBridge Scheduler rejects", (schedule, message) => {
    expect(trading(job(schedule))).toThrow(message);
  });

  test.each([
    "cron(0/15 * * * ? *)",
    "cron(0 8 ? * MON-FRI *)",
    "cron(0 0 L * ? *)",
    "at(2027-01-31T23:59:59)",
  ])("accepts the valid schedule %s", (schedule) => {
    expect(trading(job(schedule))).not.toThrow();
  });

  test("fails for an Aurora engine version RDS does not offer", () => {
    expect(fintech((bp) => (bp.database.engineVersion = "9.6"))).toThrow(
      /database\.engineVersion: 9\.6 major version 9 is not an Aurora PostgreSQL major version/,
    );
    expect(fintech((bp) => (bp.database.engineVersion = "latest"))).toThrow(
      /is not an Aurora PostgreSQL engine version/,
    );
  });

  test("fails for an instance class Aurora PostgreSQL does not offer", () => {
    expect(
      fintech((bp) => (bp.database = { ...bp.database, mode: "provisioned", instanceClass: "db.m1.small" })),
    ).toThrow(/database\.instanceClass: db\.m1\.small is not a DB instance class Aurora PostgreSQL offers/);
  });

  test("fails for a database port outside 1150-65535", () => {
    expect(fintech((bp) => (bp.database.port = 80))).toThrow(/database\.port: 80 is outside 1150-65535/);
  });

  test("fails for a fractional Aurora capacity that is not a half step", () => {
    expect(fintech((bp) => (bp.database.maxCapacity = 2.3))).toThrow(
      /database\.maxCapacity: 2\.3 is not an Aurora Serverless v2 capacity \(0 to 256 ACUs in steps of 0\.5\)/,
    );
  });

  test("fails for a kmsKeyArn that is not an ARN", () => {
    expect(
      fintech(
        (bp) =>
          (bp.secrets = {
            ...bp.secrets,
            ext: { source: "lookup", name: "ext/key", kmsKeyArn: "alias/my-key" },
          }),
      ),
    ).toThrow(/secrets\.ext\.kmsKeyArn: "alias\/my-key": is not a KMS key ARN/);
  });

  test("fails for a metric filter pattern that is not CloudWatch Logs syntax", () => {
    expect(trading((bp) => (bp.services.frontend.metricPattern = "{ $.latency > 100"))).toThrow(
      /services\.frontend\.metricPattern: .* does not end with }/,
    );
    expect(trading((bp) => (bp.services.frontend.metricPattern = '"unclosed'))).toThrow(
      /has an unclosed quote/,
    );
  });

  test("fails for an empty error log pattern (it would count every line)", () => {
    expect(trading((bp) => (bp.observability = { errorLogPattern: "  " }))).toThrow(
      /observability\.errorLogPattern: " {2}" is empty, which matches every log event/,
    );
  });

  test("fails for environment values that push the task definition past 64 KiB", () => {
    expect(
      trading((bp) => (bp.services.frontend.environment = { A: "x".repeat(40000), B: "y".repeat(20000) })),
    ).toThrow(
      /services\.frontend\.environment: variables take \d+ bytes of the task definition; at most 57344 fit/,
    );
  });

  test("fails for a namespace label over 63 characters", () => {
    expect(trading((bp) => (bp.serviceDiscovery = { namespace: `${"a".repeat(64)}.internal` }))).toThrow(
      /serviceDiscovery\.namespace: label a{64} is 64 characters; a DNS label has at most 63/,
    );
  });
});

describe("silent overrides and over-grants", () => {
  test.each(["QUEUE_URL", "AWS_XRAY_DAEMON_ADDRESS", "PROCESSING_SERVICE_URL"])(
    "fails for a user variable %s that replaces one the platform injects",
    (variable) => {
      expect(trading((bp) => (bp.services.frontend.environment = { [variable]: "x" }))).toThrow(
        new RegExp(`services\\.frontend\\.environment\\.${variable}: is set by the platform`),
      );
    },
  );

  test.each([
    ["s3Buckets", "***"],
    ["s3Buckets", "data-*"],
    ["sqsQueues", "*"],
    ["dynamodbTables", "orders*"],
  ])("fails for a wildcard in access.%s (%s grants every match)", (list, name) => {
    expect(trading((bp) => (bp.services.frontend.access = { [list]: [{ name }] }))).toThrow(
      new RegExp(`services\\.frontend\\.access\\.${list}\\.0\\.name: .*\\(wildcards are not allowed`),
    );
  });

  test.each([
    ["this blueprint's state bucket", "tfstate-trading-platform", {}],
    ["another blueprint's state bucket", "tfstate-orders-platform", {}],
    ["an account-derived state bucket", "tfstate-111122223333-us-east-1-fintech", {}],
    [
      "the bucket TF_STATE_BUCKET names",
      "company-terraform-state",
      { TF_STATE_BUCKET: "company-terraform-state" },
    ],
  ])("fails when a service is granted %s by name", (_, bucket, env) => {
    const path = file(
      `state-grant-${bucket}.json`,
      JSON.stringify(
        blueprintWith("trading", (bp: Any) => {
          bp.services.frontend.access = { s3Buckets: [{ name: bucket, write: true }] };
        }),
      ),
    );
    expect(() => loadConfig({ BLUEPRINT: path, ...env })).toThrow(
      new RegExp(
        `services\\.frontend\\.access\\.s3Buckets\\.0\\.name: ${bucket} is a Terraform state bucket`,
      ),
    );
  });

  test("fails when the test listener CIDRs add up to more than a /8 (40 x /8)", () => {
    const cidrs = Array.from({ length: 40 }, (_, i) => `${i + 11}.0.0.0/8`);
    expect(trading((bp) => (bp.loadBalancer = { ...bp.loadBalancer, testListenerCidrs: cidrs }))).toThrow(
      /loadBalancer\.testListenerCidrs: 40 CIDRs admit 671088640 addresses together; .*at most 16777216 addresses in all/,
    );
  });

  test("accepts test listener CIDRs that add up to one /8", () => {
    expect(
      trading(
        (bp) => (bp.loadBalancer = { ...bp.loadBalancer, testListenerCidrs: ["11.0.0.0/9", "12.0.0.0/9"] }),
      ),
    ).not.toThrow();
  });

  test.each([
    [
      "maxCount",
      1e12,
      /services\.processing-service\.maxCount: .*must be at most 5000, the ECS tasks-per-service quota/,
    ],
    ["maxCount", 2.5, /services\.processing-service\.maxCount: .*must be a whole number of tasks \(1-5000\)/],
    ["desiredCount", 5001, /services\.processing-service\.desiredCount: .*must be at most 5000/],
  ])("fails for %s = %p (ECS tasks-per-service quota, whole tasks)", (field, value, message) => {
    expect(trading((bp) => (bp.services["processing-service"][field] = value))).toThrow(message);
  });

  test.each([
    [
      "a one-character blueprint name",
      (bp: Any) => (bp.name = "t"),
      /name: .*a blueprint name must be at least 2 characters \(2-16\)/,
    ],
    [
      "a one-character service name",
      (bp: Any) => (bp.services.a = { kind: "backend", cpu: 256, memory: 512 }),
      /services\.a: .*a service name must be at least 2 characters \(2-28\)/,
    ],
  ])("fails for %s, stating the minimum length", (_, edit, message) => {
    expect(trading(edit)).toThrow(message);
  });

  test("fails for a suppression whose reason is ten x's", () => {
    expect(
      trading((bp) => (bp.guardrails = { suppressions: [{ rule: "ELB3", reason: "xxxxxxxxxx" }] })),
    ).toThrow(
      /guardrails\.suppressions\.0\.reason: .*needs a reason of at least 10 characters and 3 different words/,
    );
  });

  test("fails for a duplicate calls entry (it used to clash construct ids)", () => {
    expect(
      trading((bp) => (bp.services.frontend.calls = ["processing-service", "processing-service"])),
    ).toThrow(/services\.frontend\.calls\.1: processing-service is listed twice/);
  });
});

describe("clear errors instead of stack traces", () => {
  test("an invalid service name names the rule, not 'Invalid key in record'", () => {
    expect(trading((bp) => (bp.services.Bad_Name = { kind: "backend", cpu: 256, memory: 512 }))).toThrow(
      /services\.Bad_Name: "Bad_Name": is not an allowed name: a service name must be lowercase letters/,
    );
  });

  test("an invalid secret name names the rule", () => {
    expect(trading((bp) => (bp.secrets = { "My Secret": { source: "create" } }))).toThrow(
      /secrets\.My Secret: "My Secret": is not an allowed name: a secret name must be lowercase letters/,
    );
  });

  test.each(["dev-", "a--b"])(
    "ENVIRONMENT_SUFFIX=%s is refused by the loader, not by a construct",
    (suffix) => {
      expect(() => loadConfig({ ENVIRONMENT_SUFFIX: suffix })).toThrow(
        new RegExp(
          `^ENVIRONMENT_SUFFIX: "${suffix}" is not allowed: .*not ending with a hyphen and without "--"`,
        ),
      );
    },
  );

  test("BLUEPRINT naming a directory", () => {
    const dir = join(tmp, "dir.yaml");
    mkdirSync(dir);
    expect(() => loadConfig({ BLUEPRINT: dir })).toThrow(/^BLUEPRINT: .*dir\.yaml is a directory/);
  });

  test("BLUEPRINT naming a binary file", () => {
    const path = file("binary.yaml", Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80]));
    expect(() => loadConfig({ BLUEPRINT: path })).toThrow(/^BLUEPRINT: .*binary\.yaml is not UTF-8 text/);
  });

  test("BLUEPRINT naming a device (/dev/zero behind a .yaml name)", () => {
    const path = join(tmp, "zero.yaml");
    symlinkSync("/dev/zero", path);
    expect(() => loadConfig({ BLUEPRINT: path })).toThrow(/^BLUEPRINT: .*zero\.yaml is not a regular file/);
  });

  test("BLUEPRINT=toString is not a built-in blueprint", () => {
    expect(() => loadConfig({ BLUEPRINT: "toString" })).toThrow(
      /^BLUEPRINT: "toString" is not a built-in blueprint/,
    );
  });

  test("an ALARM_EMAIL error names the variable, not a blueprint field", () => {
    expect(() => loadConfig({ ALARM_EMAIL: "not-an-email" })).toThrow(/^ALARM_EMAIL: "not-an-email": /);
  });

  test("a cross-field error on ALB_CERTIFICATE_ARN names the variable", () => {
    expect(() =>
      loadConfig({
        ALB_CERTIFICATE_ARN:
          "arn:aws:acm:eu-west-1:111122223333:certificate/0a1b2c3d-1234-5678-9abc-def012345678",
      }),
    ).toThrow(
      /ALB_CERTIFICATE_ARN \(sets blueprints\.trading: loadBalancer\.certificateArn\): is in eu-west-1/,
    );
  });

  test("a file error gives file:line, the field path apart, and suggests the misspelt key", () => {
    const path = file(
      "typo.yaml",
      "name: demo\ntags: { Team: a, CostCenter: b, Project: c }\nservices:\n  api:\n    kind: backend\n    cpu: 256\n    memroy: 512\n",
    );
    expect(() => loadConfig({ BLUEPRINT: path })).toThrow(ConfigError);
    expect(() => loadConfig({ BLUEPRINT: path })).toThrow(
      new RegExp(
        `${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:7: services\\.api\\.memroy: unknown field; did you mean "memory"\\?`,
      ),
    );
  });

  test("a misspelt enum value suggests the nearest allowed one", () => {
    expect(trading((bp) => (bp.services.frontend.kind = "wbe"))).toThrow(
      /services\.frontend\.kind: "wbe": must be one of "web", "backend", "worker", "scheduled" \(did you mean "web"\?\)/,
    );
  });
});
