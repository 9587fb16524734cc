import { DescribeTasksCommand, ECSClient, RunTaskCommand } from "@aws-sdk/client-ecs";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mockClient } from "aws-sdk-client-mock";
import type { OneOffTasks } from "../../modules/contracts";
import { EXIT, main, parseTaskArgs } from "../../scripts/task/cli";
import { extractTasks, fetchTasks, readTasksFile } from "../../scripts/task/manifest";

const TASKS: OneOffTasks = {
  "fraud-api": {
    clusterName: "ecs-cluster-fraud-dev",
    taskDefinitionFamily: "task-fraud-api-dev",
    containerName: "fraud-api",
    logGroupName: "/ecs/fraud-api-dev",
    logStreamPrefix: "fraud-api",
    subnetIds: ["subnet-a", "subnet-b"],
    securityGroupIds: ["sg-api"],
  },
  "db-bootstrap": {
    clusterName: "ecs-cluster-fraud-dev",
    taskDefinitionFamily: "task-fraud-db-bootstrap-dev",
    containerName: "psql",
    logGroupName: "/ecs/fraud-db-bootstrap-dev",
    logStreamPrefix: "psql",
    subnetIds: ["subnet-a", "subnet-b"],
    securityGroupIds: ["sg-bootstrap"],
  },
};
const ARN = "arn:aws:ecs:eu-central-1:123456789012:task/ecs-cluster-fraud-dev/0123456789abcdef";

const ecs = mockClient(ECSClient);

function run(argv: string[], extra: { now?: () => number; signal?: AbortSignal } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, {
    loadTasks: () => TASKS,
    ecs: () => new ECSClient({ region: "eu-central-1" }),
    sleep: async () => undefined,
    pollIntervalMs: 1,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    ...extra,
  });
  return { code, out, err };
}

const stopped = (exitCode?: number, reason?: string) => ({
  tasks: [
    {
      taskArn: ARN,
      lastStatus: "STOPPED",
      stoppedReason: reason ?? "Essential container in task exited",
      containers: [{ name: "fraud-api", exitCode }],
    },
  ],
});

beforeEach(() => ecs.reset());

describe("npm run task", () => {
  test("runs the service's task definition family in its subnets and security group with the command", async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: ARN }] });
    ecs.on(DescribeTasksCommand).resolves(stopped(0));
    const { code } = run(["--service", "fraud-api", "--command", "npm run migrate"]);
    expect(await code).toBe(0);
    const input = ecs.commandCalls(RunTaskCommand)[0].args[0].input;
    expect(input).toEqual(
      expect.objectContaining({
        cluster: "ecs-cluster-fraud-dev",
        taskDefinition: "task-fraud-api-dev",
        launchType: "FARGATE",
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: ["subnet-a", "subnet-b"],
            securityGroups: ["sg-api"],
            assignPublicIp: "DISABLED",
          },
        },
        overrides: {
          containerOverrides: [{ name: "fraud-api", command: ["sh", "-c", "npm run migrate"] }],
        },
      }),
    );
  });

  test("without --command keeps the task definition's command", async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: ARN }] });
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [{ taskArn: ARN, lastStatus: "STOPPED", containers: [{ name: "psql", exitCode: 0 }] }],
    });
    expect(await run(["--service", "db-bootstrap"]).code).toBe(0);
    const input = ecs.commandCalls(RunTaskCommand)[0].args[0].input;
    expect(input.overrides).toBeUndefined();
    expect(input.taskDefinition).toBe("task-fraud-db-bootstrap-dev");
    expect(input.networkConfiguration?.awsvpcConfiguration?.securityGroups).toEqual(["sg-bootstrap"]);
  });

  test("streams each status change once and exits with the container's exit code", async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: ARN }] });
    ecs
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [{ taskArn: ARN, lastStatus: "PROVISIONING" }] })
      .resolvesOnce({ tasks: [{ taskArn: ARN, lastStatus: "PROVISIONING" }] })
      .resolvesOnce({ tasks: [{ taskArn: ARN, lastStatus: "RUNNING" }] })
      .resolves(stopped(3));
    const { code, out } = run(["--service", "fraud-api", "--command", "exit 3"]);
    expect(await code).toBe(3);
    const statuses = out.filter((l) => l.includes("task 0123456789abcdef:")).map((l) => l.split(": ")[1]);
    expect(statuses).toEqual(["PROVISIONING", "RUNNING", "STOPPED"]);
    expect(out.at(-1)).toBe("task fraud-api exited with 3");
    expect(out).toContainEqual(
      expect.stringContaining(
        "aws logs tail /ecs/fraud-api-dev --follow --log-stream-names fraud-api/fraud-api/0123456789abcdef",
      ),
    );
  });

  test("exits 125 with the stopped reason when the container never ran", async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: ARN }] });
    ecs.on(DescribeTasksCommand).resolves(stopped(undefined, "CannotPullContainerError: image not found"));
    const { code, err } = run(["--service", "fraud-api"]);
    expect(await code).toBe(EXIT.noExitCode);
    expect(err.join("\n")).toMatch(/never ran: CannotPullContainerError/);
  });

  test("exits 1 naming the reason when RunTask starts no task", async () => {
    ecs
      .on(RunTaskCommand)
      .resolves({ tasks: [], failures: [{ reason: "MISSING", arn: "task-fraud-api-dev" }] });
    const { code, err } = run(["--service", "fraud-api"]);
    expect(await code).toBe(EXIT.failed);
    expect(err.join("\n")).toMatch(/started no task for fraud-api: MISSING/);
  });

  test("exits 1 on an AWS error", async () => {
    ecs.on(RunTaskCommand).rejects(new Error("AccessDeniedException: not authorized to perform ecs:RunTask"));
    const { code, err } = run(["--service", "fraud-api"]);
    expect(await code).toBe(EXIT.failed);
    expect(err.join("\n")).toMatch(/AccessDenied/);
  });

  test("stops waiting after --timeout-minutes and exits 1", async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: ARN }] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: ARN, lastStatus: "RUNNING" }] });
    let t = 0;
    const { code, err } = run(["--service", "fraud-api", "--timeout-minutes", "1"], {
      now: () => (t += 30_000),
    });
    expect(await code).toBe(EXIT.failed);
    expect(err.join("\n")).toMatch(/timed out after 1 min .*last status RUNNING/);
  });

  test("exits 130 when interrupted while waiting", async () => {
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: ARN }] });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: ARN, lastStatus: "RUNNING" }] });
    const controller = new AbortController();
    controller.abort();
    const { code, err } = run(["--service", "fraud-api"], { signal: controller.signal });
    expect(await code).toBe(EXIT.interrupted);
    expect(err.join("\n")).toMatch(/keeps running in AWS/);
  });

  test("refuses an unknown service with exit 2, listing the known ones, before any AWS call", async () => {
    const { code, err } = run(["--service", "nope"]);
    expect(await code).toBe(EXIT.usage);
    expect(err.join("\n")).toMatch(/unknown service "nope": the platform has db-bootstrap, fraud-api/);
    expect(ecs.calls()).toHaveLength(0);
  });

  test("prints the usage for --help and exits 0", async () => {
    const { code, out } = run(["--help"]);
    expect(await code).toBe(0);
    expect(out.join("\n")).toMatch(/usage: npm run task -- --service <name>/);
  });

  test.each([
    [[], /--service is required/],
    [["--service", "a", "--bogus"], /Unknown option '--bogus'/],
    [["--service", "a", "--command", " "], /--command: "" is empty/],
    [["--service", "a", "--timeout-minutes", "0"], /--timeout-minutes: "0" is not a whole number/],
  ])("fails with usage for %j", (argv, message) => {
    expect(() => parseTaskArgs(argv as string[])).toThrow(message);
  });
});

describe("one_off_tasks output", () => {
  test("is found in a cdktf outputs file", () => {
    const dir = mkdtempSync(join(tmpdir(), "task-test-"));
    const file = join(dir, "outputs.json");
    writeFileSync(file, JSON.stringify({ platform: { one_off_tasks: TASKS } }));
    expect(readTasksFile(file)).toEqual(TASKS);
  });

  test("fails naming the field that is wrong", () => {
    expect(() =>
      extractTasks({ one_off_tasks: { api: { ...TASKS["fraud-api"], subnetIds: [] } } }, "outputs.json"),
    ).toThrow(/one_off_tasks.api.subnetIds/);
  });

  test("fails when the platform has no such output", () => {
    expect(() => extractTasks({ platform: {} }, "outputs.json")).toThrow(/no "one_off_tasks" output found/);
  });

  test("is fetched with the selected runtime's CLI output platform, and a failure says what to check", () => {
    for (const [env, cli] of [
      [{}, "cdktf"],
      [{ CDK_RUNTIME: "cdktn" }, "cdktn"],
    ] as const) {
      const calls: string[][] = [];
      const tasks = fetchTasks((command, args) => {
        calls.push([command, ...args]);
        writeFileSync(
          args[args.indexOf("--outputs-file") + 1],
          JSON.stringify({ platform: { one_off_tasks: TASKS } }),
        );
      }, env);
      expect(tasks).toEqual(TASKS);
      expect(calls[0].slice(0, 4)).toEqual(["npx", cli, "output", "platform"]);
    }
    expect(() =>
      fetchTasks(() => {
        throw new Error("no credentials");
      }),
    ).toThrow(/could not read the platform outputs .*--manifest <file>/);
  });
});
