/**
 * Bad input: every way a user can get the config wrong produces one clear message naming the
 * field path, the bad value and what is allowed, and `main.ts` exits non-zero before writing.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig } from "../../config";
import type { BlueprintInput } from "../../config";
import { blueprintWith, configFrom } from "../support/synth";

const tmp = mkdtempSync(join(tmpdir(), "blueprint-validation-"));
/** Writes a blueprint file into a temp dir and returns its path. */
const blueprintFile = (name: string, text: string) => {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
};
/** Validates the trading blueprint after `edit`. */
const trading = (edit: (bp: BlueprintInput) => void) => () => configFrom(blueprintWith("trading", edit));
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const service = (bp: BlueprintInput, name: string): any => bp.services[name];

const FILE_HEADER = "name: demo\ntags: { Team: a, CostCenter: b, Project: c }\n";

describe("environment", () => {
  test("fails when the environment suffix has invalid characters", () => {
    expect(() => loadConfig({ ENVIRONMENT_SUFFIX: "Dev_1" })).toThrow(
      /^ENVIRONMENT_SUFFIX: "Dev_1" is not allowed: use 1-20 lowercase letters, digits and hyphens, starting with a letter/,
    );
  });

  test("fails when the environment suffix is too long", () => {
    expect(() => loadConfig({ ENVIRONMENT_SUFFIX: "a".repeat(21) })).toThrow(
      /ENVIRONMENT_SUFFIX: "a{21}" is not allowed: use 1-20/,
    );
  });

  test("fails when the blueprint is unknown", () => {
    expect(() => loadConfig({ BLUEPRINT: "nope" })).toThrow(
      /^BLUEPRINT: "nope" is not a built-in blueprint \([^)]*trading[^)]*\) nor a \.yaml\/\.yml\/\.json file/,
    );
  });
});

describe("services", () => {
  test("fails when a service kind is unknown", () => {
    expect(trading((bp) => (service(bp, "frontend").kind = "cron"))).toThrow(
      /blueprints\.trading\.services\.frontend\.kind: "cron": must be one of "web", "backend", "worker", "scheduled"/,
    );
  });

  test("fails when the CPU is not a Fargate size", () => {
    expect(trading((bp) => (service(bp, "frontend").cpu = 300))).toThrow(
      /blueprints\.trading\.services\.frontend\.cpu: 300 is not a Fargate CPU size \(256, 512, 1024, 2048, 4096, 8192, 16384\)/,
    );
  });

  test("fails when the memory does not fit the CPU", () => {
    expect(trading((bp) => (service(bp, "api-gateway").memory = 512))).toThrow(
      /services\.api-gateway\.memory: 512 MiB is not valid with 1024 CPU units \(2048 to 8192 MiB in 1024 MiB steps\)/,
    );
  });

  test("fails when minCount is greater than maxCount", () => {
    expect(
      trading((bp) => Object.assign(service(bp, "frontend"), { minCount: 5, maxCount: 3, desiredCount: 3 })),
    ).toThrow(/services\.frontend\.minCount: 5 is greater than maxCount \(3\)/);
  });

  test("fails when two services route the same path", () => {
    expect(trading((bp) => (service(bp, "api-gateway").paths = ["/*"]))).toThrow(
      /services\.api-gateway\.paths: path \/\* is already routed to service frontend/,
    );
  });

  test("fails when a web service has no paths", () => {
    expect(trading((bp) => (service(bp, "frontend").paths = []))).toThrow(
      /services\.frontend\.paths: a web service needs at least one ALB path pattern \(e\.g\. \/api\/\*\)/,
    );
  });

  test("fails when a schedule expression is malformed", () => {
    expect(
      trading((bp) => {
        bp.services.report = { kind: "scheduled", cpu: 256, memory: 512, schedule: "every 6 hours" };
      }),
    ).toThrow(
      /services\.report\.schedule: every 6 hours is not a schedule expression \(rate\(N minutes\|hours\|days\)/,
    );
  });

  test("fails when a service references a secret that is not defined", () => {
    expect(
      trading((bp) => (service(bp, "api-gateway").secrets = { API_KEYS: { secret: "missing" } })),
    ).toThrow(
      /services\.api-gateway\.secrets\.API_KEYS\.secret: missing is not defined in secrets \(defined: db-credentials, api-keys\)/,
    );
  });

  test("fails when a service calls a service that does not exist", () => {
    expect(trading((bp) => (service(bp, "frontend").calls = ["ghost"]))).toThrow(
      /services\.frontend\.calls\.0: ghost is not a service of this blueprint \(frontend, api-gateway, processing-service\)/,
    );
  });

  test("fails when service calls form a cycle", () => {
    expect(
      trading((bp) => {
        service(bp, "processing-service").kind = "web";
        service(bp, "processing-service").paths = ["/processing/*"];
        service(bp, "processing-service").calls = ["frontend"];
      }),
    ).toThrow(
      /blueprints\.trading\.services: call cycle: frontend -> api-gateway -> processing-service -> frontend/,
    );
  });
});

describe("deployment strategies", () => {
  const fintech = (edit: (bp: BlueprintInput) => void) => () => configFrom(blueprintWith("fintech", edit));

  test("fails when a web service in the mesh uses CodeDeploy, naming the allowed strategies", () => {
    expect(fintech((bp) => (service(bp, "accounts").deployment = { strategy: "codedeploy" }))).toThrow(
      /blueprints\.fintech\.services\.accounts\.deployment\.strategy: codedeploy is not allowed for this web service: ECS Service Connect \(mesh\.enabled\) works only with the ECS deployment controller.*; allowed: ecs-blue-green, rolling/,
    );
  });

  test("fails when a web service in the mesh leaves the strategy to the CodeDeploy default", () => {
    expect(fintech((bp) => (service(bp, "accounts").deployment = {}))).toThrow(
      /services\.accounts\.deployment\.strategy: codedeploy \(the default for web services\) is not allowed/,
    );
  });

  test("accepts ECS-native blue/green with Service Connect, for web and backend services", () => {
    expect(
      fintech((bp) => {
        const accounts = service(bp, "accounts");
        bp.services["ledger"] = {
          ...accounts,
          kind: "backend",
          paths: [],
          scaling: { cpuTargetPercent: 70 },
        };
      }),
    ).not.toThrow();
  });

  test("fails when a backend outside the mesh asks for ECS-native blue/green (nothing to shift traffic with)", () => {
    expect(
      trading((bp) => (service(bp, "processing-service").deployment = { strategy: "ecs-blue-green" })),
    ).toThrow(
      /services\.processing-service\.deployment\.strategy: ecs-blue-green is not allowed for this backend service: .*neither \(mesh\.enabled is false\); allowed: rolling/,
    );
  });

  test("fails when a backend asks for CodeDeploy", () => {
    expect(
      trading((bp) => (service(bp, "processing-service").deployment = { strategy: "codedeploy" })),
    ).toThrow(
      /processing-service\.deployment\.strategy: codedeploy is not allowed for this backend service: CodeDeploy blue\/green needs a web service behind the ALB; allowed: rolling/,
    );
  });

  test("fails on an unknown strategy, listing the three", () => {
    expect(trading((bp) => (service(bp, "frontend").deployment = { strategy: "canary" }))).toThrow(
      /services\.frontend\.deployment\.strategy: "canary": must be one of "codedeploy", "ecs-blue-green", "rolling"/,
    );
  });

  test("fails when a linear shift moves less than the provider's 3 % per step", () => {
    expect(
      fintech(
        (bp) =>
          (service(bp, "accounts").deployment = {
            strategy: "ecs-blue-green",
            trafficShift: { type: "linear", stepPercent: 1, stepBakeMinutes: 1 },
          }),
      ),
    ).toThrow(/services\.accounts\.deployment\.trafficShift\.stepPercent/);
  });
});

describe("load balancer", () => {
  test("fails when a test listener CIDR is private: inside the VPC the ALB sees the NAT's address", () => {
    expect(
      trading((bp) => (bp.loadBalancer = { ...bp.loadBalancer, testListenerCidrs: ["10.0.0.0/16"] })),
    ).toThrow(
      /blueprints\.trading\.loadBalancer\.testListenerCidrs\.0: 10\.0\.0\.0\/16 is a private range; .*NAT gateways' public addresses \(admitted automatically\)/,
    );
  });

  test("fails when the test listener is opened to the internet", () => {
    expect(
      trading((bp) => (bp.loadBalancer = { ...bp.loadBalancer, testListenerCidrs: ["0.0.0.0/0"] })),
    ).toThrow(
      /loadBalancer\.testListenerCidrs\.0: 0\.0\.0\.0\/0: the test listener must not be open to the internet/,
    );
  });

  test("fails when HTTPS is required without a certificate ARN", () => {
    expect(trading((bp) => (bp.loadBalancer = { ...bp.loadBalancer, https: true }))).toThrow(
      /blueprints\.trading\.loadBalancer\.certificateArn: is required when loadBalancer\.https is true/,
    );
  });
});

describe("network", () => {
  const subnets = {
    public: ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
    private: ["10.0.16.0/20", "10.0.32.0/20", "10.0.48.0/20"],
    database: ["10.0.2.0/24", "10.0.4.0/24", "10.0.5.0/24"],
  };

  test("fails when subnet CIDR blocks overlap", () => {
    expect(trading((bp) => (bp.network = { ...bp.network, subnets }))).toThrow(
      /network\.subnets\.database\.0: "?10\.0\.2\.0\/24"?:? ?overlaps network\.subnets\.public\.2 \(10\.0\.2\.0\/24\)/,
    );
  });

  test("fails when the VPC CIDR is too small for 3 tiers in 3 AZs", () => {
    expect(trading((bp) => (bp.network = { ...bp.network, cidr: "10.0.0.0/22" }))).toThrow(
      /network\.cidr: 10\.0\.0\.0\/22 is too small to derive 3 tiers of subnets in 3 AZs/,
    );
  });

  test("fails when a tier does not have one subnet per AZ", () => {
    expect(
      trading((bp) => (bp.network = { ...bp.network, subnets: { ...subnets, public: ["10.0.0.0/24"] } })),
    ).toThrow(/network\.subnets\.public: .*needs exactly 3 subnets, one per availability zone/);
  });
});

describe("guardrail suppressions", () => {
  test("fails when a suppression names an unknown rule", () => {
    expect(
      trading((bp) => (bp.guardrails = { suppressions: [{ rule: "XYZ1", reason: "because we must" }] })),
    ).toThrow(/guardrails\.suppressions\.0\.rule: "XYZ1": must be one of "ECS1", "ECS2"/);
  });

  test("fails when a suppression gives no reason", () => {
    expect(trading((bp) => (bp.guardrails = { suppressions: [{ rule: "ELB3", reason: "ok" }] }))).toThrow(
      /guardrails\.suppressions\.0\.reason: needs a reason of at least 10 characters and 3 different words/,
    );
  });
});

describe("blueprint files", () => {
  test("fails naming the file and the field path of a bad value", () => {
    const file = blueprintFile(
      "bad-cpu.yaml",
      `${FILE_HEADER}services:\n  api:\n    kind: backend\n    cpu: 300\n    memory: 512\n`,
    );
    expect(() => loadConfig({ BLUEPRINT: file })).toThrow(
      new RegExp(
        `invalid blueprint ${file}:\\n {2}${file}:6: services\\.api\\.cpu: 300 is not a Fargate CPU size`,
      ),
    );
  });

  test("fails naming the path of a service defined twice", () => {
    const file = blueprintFile(
      "duplicate.yaml",
      `${FILE_HEADER}services:\n  api:\n    kind: backend\n    cpu: 256\n    memory: 512\n  api:\n    kind: worker\n    cpu: 256\n    memory: 512\n`,
    );
    expect(() => loadConfig({ BLUEPRINT: file })).toThrow(
      `BLUEPRINT: ${file}: services.api: is defined more than once (each name may appear once)`,
    );
  });

  test("fails when the file does not exist", () => {
    expect(() => loadConfig({ BLUEPRINT: join(tmp, "missing.yaml") })).toThrow(
      /BLUEPRINT: file .*missing\.yaml does not exist/,
    );
  });

  test("fails when the file is not YAML", () => {
    const file = blueprintFile("broken.yaml", "name: [unclosed\n");
    expect(() => loadConfig({ BLUEPRINT: file })).toThrow(
      new RegExp(`BLUEPRINT: ${file} is not valid YAML/JSON`),
    );
  });
});

describe("main.ts, as cdktf.json runs it", () => {
  const root = resolve(__dirname, "../..");
  const run = (env: Record<string, string>) => {
    const outdir = join(mkdtempSync(join(tmpdir(), "main-")), "cdktf.out");
    const child = spawnSync(process.execPath, ["scripts/synth-entry.mjs"], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? "",
        CDK_RUNTIME: process.env.CDK_RUNTIME ?? "cdktf",
        CDKTF_OUTDIR: outdir,
        ...env,
      },
      encoding: "utf8",
      timeout: 60_000,
    });
    return { ...child, outdir };
  };

  test("exits 1 with the message and writes nothing when the suffix is invalid", () => {
    const { status, stderr, outdir } = run({ ENVIRONMENT_SUFFIX: "Bad_Suffix" });
    expect(stderr).toMatch(/ENVIRONMENT_SUFFIX: "Bad_Suffix" is not allowed/);
    expect(status).toBe(1);
    expect(existsSync(outdir)).toBe(false);
  });

  test("exits 1 with the field path and writes nothing when the blueprint file is invalid", () => {
    const file = blueprintFile(
      "main-bad.yaml",
      `${FILE_HEADER}services:\n  api:\n    kind: cron\n    cpu: 256\n    memory: 512\n`,
    );
    const { status, stderr, outdir } = run({ ENVIRONMENT_SUFFIX: "dev", BLUEPRINT: file });
    expect(stderr).toMatch(
      /services\.api\.kind: "cron": must be one of "web", "backend", "worker", "scheduled"/,
    );
    expect(status).toBe(1);
    expect(existsSync(outdir)).toBe(false);
  });
});
