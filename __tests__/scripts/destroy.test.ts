import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DeleteServiceCommand,
  DeregisterInstanceCommand,
  GetNamespaceCommand,
  ListInstancesCommand,
  ListNamespacesCommand,
  ListServicesCommand,
  ServiceDiscoveryClient,
} from "@aws-sdk/client-servicediscovery";
import { mockClient } from "aws-sdk-client-mock";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { configFor } from "../support/synth";
import { STACK_DEPENDENCIES, STACK_IDS } from "../../stacks/base";
import { BUILT_IN_BLUEPRINTS } from "../../config/blueprints";
import { cdkCli } from "../../scripts/cli-runtime";
import {
  clearNamespace,
  CommandResult,
  DESTROY_ORDER,
  destroyPlan,
  DestroyDeps,
  executeDestroy,
  EXIT,
  failureReason,
  formatCommand,
  HELP,
  InterruptSignal,
  LOCK_TIMEOUT,
  main,
  MainIo,
  namespaceInUse,
  OutputTail,
  parseArgs,
  RunningCommand,
  spawnCommand,
  readStackState,
  unreleasedProtection,
} from "../../scripts/destroy";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";

const CDKTF = ["npx", "cdktf"];
const LOCK = `TF_CLI_ARGS_destroy=-lock-timeout=${LOCK_TIMEOUT}`;
/** The environment every command of trading/test names, whatever the shell it runs in has set. */
const PINNED = [
  "BLUEPRINT=trading",
  "ENVIRONMENT_SUFFIX=test",
  "TF_STATE_BUCKET=tfstate-trading-platform",
  "TF_STATE_REGION=us-east-1",
];

describe("destroy plan", () => {
  const config = configFor("trading");

  test("destroys observability, platform, registry, network with one command each", () => {
    expect(destroyPlan(config, [], CDKTF).steps.map((s) => s.argv)).toEqual([
      ["env", ...PINNED, LOCK, "npx", "cdktf", "destroy", "observability", "--auto-approve"],
      [
        "env",
        ...PINNED,
        LOCK,
        "npx",
        "cdktf",
        "destroy",
        "platform",
        "--auto-approve",
        "--ignore-missing-stack-dependencies",
      ],
      ["env", ...PINNED, LOCK, "npx", "cdktf", "destroy", "registry", "--auto-approve"],
      [
        "env",
        ...PINNED,
        LOCK,
        "npx",
        "cdktf",
        "destroy",
        "network",
        "--auto-approve",
        "--ignore-missing-stack-dependencies",
      ],
    ]);
  });

  test("orders every stack after all the stacks that depend on it", () => {
    for (const [stack, dependencies] of Object.entries(STACK_DEPENDENCIES)) {
      for (const dependency of dependencies) {
        expect(DESTROY_ORDER.indexOf(stack as never)).toBeLessThan(DESTROY_ORDER.indexOf(dependency));
      }
    }
    expect([...DESTROY_ORDER].sort()).toEqual([...STACK_IDS].sort());
  });

  test("skips the CLI's dependant check only where an earlier command destroyed every dependant", () => {
    const steps = destroyPlan(config, [], CDKTF).steps;
    steps.forEach((step, i) => {
      const dependants = STACK_IDS.filter((s) => STACK_DEPENDENCIES[s].includes(step.stack));
      const earlier = steps.slice(0, i).map((s) => s.stack);
      expect(dependants.every((d) => earlier.includes(d))).toBe(true);
      expect(step.argv.includes("--ignore-missing-stack-dependencies")).toBe(dependants.length > 0);
    });
  });

  test("keeps the destroy order for requested stacks whatever order they are given in", () => {
    expect(
      destroyPlan(config, ["network", "platform", "observability"], CDKTF).steps.map((s) => s.stack),
    ).toEqual(["observability", "platform", "network"]);
  });

  test("a stack nothing depends on is destroyed alone, without skipping the CLI's check", () => {
    for (const stack of ["observability", "registry"]) {
      expect(destroyPlan(config, [stack], CDKTF).steps.map((s) => s.argv)).toEqual([
        ["env", ...PINNED, LOCK, "npx", "cdktf", "destroy", stack, "--auto-approve"],
      ]);
    }
  });

  test("fails when a stack that depends on a requested one is left out, naming it", () => {
    expect(() => destroyPlan(config, ["platform"], CDKTF)).toThrow(
      /platform cannot be destroyed without the stacks that depend on it: observability not requested\. Destroy them in the same run: npm run destroy -- observability platform$/,
    );
    expect(() => destroyPlan(config, ["network", "platform"], CDKTF)).toThrow(
      /^platform cannot be destroyed without the stacks that depend on it: observability not requested; network cannot .*: observability not requested\. .*npm run destroy -- observability platform network$/,
    );
    expect(() => destroyPlan(config, ["network"], CDKTF)).toThrow(
      /network cannot be destroyed without the stacks that depend on it: platform, observability not requested\. .*npm run destroy -- observability platform network$/,
    );
  });

  test("every blueprint gets the same commands but for the environment they name (so running them for one blueprint checks them all)", () => {
    // The CLI's decisions depend on the stack graph, which stacks/app.cases.ts checks is the same for
    // every blueprint; the blueprint itself only reaches the CLI through the pinned variables.
    const commands = (blueprint: string) =>
      destroyPlan(configFor(blueprint), [], CDKTF).steps.map((s) =>
        formatCommand(s.argv).replace(/^env (\S+ ){4}/, "env "),
      );
    for (const blueprint of Object.keys(BUILT_IN_BLUEPRINTS)) {
      expect(commands(blueprint)).toEqual(commands("trading"));
    }
  });

  test("every command names its blueprint, suffix and state bucket, so it cannot hit another environment", () => {
    const fraud = configFor("fraud", { TF_STATE_BUCKET: "acme-tfstate", TF_STATE_REGION: "eu-west-1" });
    for (const step of destroyPlan(fraud, [], CDKTF).steps) {
      expect(step.argv.slice(0, 5)).toEqual([
        "env",
        "BLUEPRINT=fraud",
        "ENVIRONMENT_SUFFIX=test",
        "TF_STATE_BUCKET=acme-tfstate",
        "TF_STATE_REGION=eu-west-1",
      ]);
    }
  });

  test("never includes the state stack", () => {
    expect(DESTROY_ORDER).not.toContain("state");
  });

  test("fails when asked to destroy the state stack", () => {
    expect(() => destroyPlan(config, ["state"], CDKTF)).toThrow(
      /refusing to destroy the "state" stack: bucket tfstate-trading-platform holds the Terraform state of every environment of blueprint trading/,
    );
  });

  test("fails when asked for an unknown stack", () => {
    expect(() => destroyPlan(config, ["databse"], CDKTF)).toThrow(
      /unknown stack\(s\) databse \(stacks: observability, platform, registry, network\)/,
    );
  });

  test("names the environment as <blueprint>/<suffix> and keeps the state bucket", () => {
    const plan = destroyPlan(config, [], CDKTF);
    expect(plan.environment).toBe("trading/test");
    expect(plan.banner).toMatch(
      /^destroying trading\/test \(blueprint built-in:trading, region us-east-1\): observability, platform, registry, network; the state bucket tfstate-trading-platform is kept$/,
    );
  });

  test("the Service Connect clean-up may only touch this environment's namespace", () => {
    expect(destroyPlan(configFor("fintech", { ENVIRONMENT_SUFFIX: "pr7" }), [], CDKTF).namespaceName).toBe(
      "pr7.fintech.internal",
    );
  });

  test("runs the CLI of the selected runtime", () => {
    const steps = destroyPlan(config, ["registry"], cdkCli({ CDK_RUNTIME: "cdktn" })).steps;
    expect(formatCommand(steps[0].argv)).toBe(
      `env ${PINNED.join(" ")} ${LOCK} npx cdktn destroy registry --auto-approve`,
    );
  });
});

describe("CLI runtime", () => {
  test("is cdktf by default, also when CDK_RUNTIME is empty", () => {
    expect(cdkCli({})).toEqual(["npx", "cdktf"]);
    expect(cdkCli({ CDK_RUNTIME: "" })).toEqual(["npx", "cdktf"]);
  });

  test("is cdktn when CDK_RUNTIME=cdktn", () => {
    expect(cdkCli({ CDK_RUNTIME: "cdktn" })).toEqual(["npx", "cdktn"]);
  });

  test("fails on any other CDK_RUNTIME, naming the allowed values", () => {
    expect(() => cdkCli({ CDK_RUNTIME: "terraform" })).toThrow(
      /^CDK_RUNTIME: "terraform" is not a known CDK runtime \(allowed: cdktf, cdktn; default cdktf\)$/,
    );
    expect(() => cdkCli({ CDK_RUNTIME: "toString" })).toThrow(/not a known CDK runtime/);
  });
});

describe("arguments and command lines", () => {
  test("reads stacks and flags", () => {
    expect(parseArgs(["platform", "--yes", "observability", "--dry-run"])).toEqual({
      stacks: ["platform", "observability"],
      yes: true,
      dryRun: true,
      help: false,
    });
    expect(parseArgs(["-h"]).help).toBe(true);
  });

  test("fails on an unknown option, listing the allowed ones", () => {
    expect(() => parseArgs(["--force"])).toThrow(
      /unknown option\(s\) --force \(allowed: --yes, --dry-run, --help, --environment\)/,
    );
  });

  test("a command line splits back into exactly its arguments", () => {
    for (const step of destroyPlan(configFor("trading"), [], CDKTF).steps) {
      expect(formatCommand(step.argv).split(" ")).toEqual(step.argv);
    }
  });

  test("a command line is what a shell runs: the same arguments after word splitting", () => {
    const argv = destroyPlan(configFor("trading"), [], CDKTF).steps[1].argv;
    const echoed = spawnSync("sh", ["-c", `printf '%s\\n' ${formatCommand(argv)}`], { encoding: "utf8" });
    expect(echoed.stdout.trimEnd().split("\n")).toEqual(argv);
  });

  test("refuses an argument a shell would need quoted", () => {
    expect(() => formatCommand(["echo", "a b"])).toThrow(/needs quoting/);
    expect(() => formatCommand(["echo", "$HOME"])).toThrow(/needs quoting/);
  });
});

// ---------------------------------------------------------------------------------------------

/** A scripted command: resolves when `finish` is called, records the signals it was sent. */
interface FakeCommand extends RunningCommand {
  readonly argv: readonly string[];
  readonly signals: NodeJS.Signals[];
  finish(result: Partial<CommandResult>): void;
}

/**
 * Fake process side: each started command is answered by `script` (by stack and attempt) or
 * left running for the test to finish. `raise` delivers a signal as the OS would.
 */
function fakeSide(script: (stack: string, attempt: number) => Partial<CommandResult> | "hold" = () => ({})) {
  const started: FakeCommand[] = [];
  const lines: string[] = [];
  const cleared: [string, string][] = [];
  let handler: ((s: InterruptSignal) => void) | undefined;
  let clearResult: () => Promise<number> = async () => 2;
  const deps: DestroyDeps = {
    start: (argv) => {
      let resolve!: (r: CommandResult) => void;
      const done = new Promise<CommandResult>((r) => (resolve = r));
      const stack = argv[argv.indexOf("destroy") + 1];
      const command: FakeCommand = {
        argv,
        signals: [],
        done,
        signal: (s) => command.signals.push(s),
        finish: (r) => resolve({ code: 0, signal: null, tail: "", ...r }),
      };
      started.push(command);
      const answer = script(stack, started.filter((c) => c.argv.includes(stack)).length);
      if (answer !== "hold") command.finish(answer);
      return command;
    },
    log: (line) => lines.push(line),
    clearNamespace: async (id, name) => {
      cleared.push([id, name]);
      return clearResult();
    },
    onSignal: (h) => {
      handler = h;
      return () => (handler = undefined);
    },
  };
  return {
    deps,
    started,
    lines,
    cleared,
    stacks: () => started.map((c) => c.argv[c.argv.indexOf("destroy") + 1]),
    raise: (s: InterruptSignal) => handler?.(s),
    listening: () => handler !== undefined,
    clearWith: (f: () => Promise<number>) => (clearResult = f),
    report: () => lines.slice(lines.findIndex((l) => l.startsWith("destroy of "))),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

/** How the AWS provider reports Cloud Map's refusal, as cdktf prints it (column, box, wrapping). */
const namespaceInUseOutput = (id: string) =>
  [
    "platform  \u001b[31m╷\u001b[0m\u001b[0m",
    "          \u001b[31m│\u001b[0m \u001b[0m\u001b[1m\u001b[31mError: \u001b[0m\u001b[0m\u001b[1mdeleting Service Discovery Private DNS Namespace",
    `          \u001b[31m│\u001b[0m (${id}): operation error ServiceDiscovery: DeleteNamespace, https`,
    "          │ response error StatusCode: 400, RequestID: 46f86c9e-01f3-4473-8aec-8b58a1ac13c8,",
    "          │ ResourceInUse: Namespace has associated services; delete the services before",
    "          │ deleting the namespace",
    "          ╵",
    "Error: Stack failed to destroy: platform",
  ].join("\n");

describe("executing a destroy", () => {
  const config = configFor("trading");
  const plan = destroyPlan(config, [], CDKTF);

  test("runs every stack in order and reports each destroyed", async () => {
    const side = fakeSide();
    const result = await executeDestroy(plan, side.deps);
    expect(result.exitCode).toBe(EXIT.ok);
    expect(side.stacks()).toEqual(["observability", "platform", "registry", "network"]);
    expect(side.report()).toEqual([
      "destroy of trading/test:",
      "  observability  destroyed",
      "  platform       destroyed",
      "  registry       destroyed",
      "  network        destroyed",
    ]);
    expect(side.listening()).toBe(false);
  });

  test("stops at the first failing stack, exits 1 and reports what was not attempted", async () => {
    const side = fakeSide((stack) =>
      stack === "platform" ? { code: 1, tail: "platform  │ Error: No valid credential sources found\n" } : {},
    );
    expect((await executeDestroy(plan, side.deps)).exitCode).toBe(EXIT.failed);
    expect(side.stacks()).toEqual(["observability", "platform"]);
    expect(side.report()).toEqual([
      "destroy of trading/test:",
      "  observability  destroyed",
      "  platform       failed (exit 1: Error: No valid credential sources found)",
      "  registry       not attempted",
      "  network        not attempted",
    ]);
  });

  test("names the first error summary of the failed command, as cdktf prints it", () => {
    const tail = [
      "\u001b[2K\u001b[Gplatform  \u001b[0m\u001b[1mInitializing the backend...\u001b[0m",
      "          \u001b[31m╷\u001b[0m\u001b[0m",
      "          \u001b[31m│\u001b[0m \u001b[0m\u001b[1m\u001b[31mError: \u001b[0m\u001b[0m\u001b[1mNo valid credential sources found\u001b[0m",
      "          \u001b[31m│\u001b[0m \u001b[0m",
      "          \u001b[31m│\u001b[0m \u001b[0mPlease see https://developer.hashicorp.com/terraform/language/backend/s3",
      "Error: terraform init failed with exit code 1",
    ].join("\n");
    expect(failureReason({ code: 1, signal: null, tail }, "platform")).toBe(
      "exit 1: Error: No valid credential sources found",
    );
    expect(failureReason({ code: null, signal: "SIGKILL", tail: "" }, "platform")).toBe("killed by SIGKILL");
  });

  test("a second signal is passed on too (Terraform then stops at once), and said so", async () => {
    const side = fakeSide((stack) => (stack === "observability" ? "hold" : {}));
    const running = executeDestroy(plan, side.deps);
    await tick();
    side.raise("SIGINT");
    side.raise("SIGINT");
    expect(side.started[0].signals).toEqual(["SIGINT", "SIGINT"]);
    expect(side.lines.join("\n")).toMatch(/received SIGINT again: passed on; Terraform stops at once/);
    side.started[0].finish({ code: 1 });
    expect((await running).exitCode).toBe(EXIT.SIGINT);
  });

  test.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "%s passes the signal to the running command, waits for it, starts nothing more, exits %i",
    async (signal, code) => {
      const side = fakeSide((stack) => (stack === "platform" ? "hold" : {}));
      const running = executeDestroy(plan, side.deps);
      await tick();
      side.raise(signal);
      const platform = side.started[1];
      expect(platform.signals).toEqual([signal]);
      platform.finish({ code: 1, tail: "Interrupt received. Gracefully shutting down..." });
      const result = await running;
      expect(result.exitCode).toBe(code);
      expect(side.stacks()).toEqual(["observability", "platform"]);
      expect(side.report()).toEqual([
        "destroy of trading/test:",
        "  observability  destroyed",
        `  platform       interrupted (${signal}); its state may be partly destroyed: run the destroy again`,
        "  registry       not attempted",
        "  network        not attempted",
      ]);
    },
  );

  test("a stack that finishes despite the signal counts as destroyed; the next one is not started", async () => {
    const side = fakeSide((stack) => (stack === "observability" ? "hold" : {}));
    const running = executeDestroy(plan, side.deps);
    await tick();
    side.raise("SIGINT");
    side.started[0].finish({ code: 0 });
    expect((await running).exitCode).toBe(EXIT.SIGINT);
    expect(side.report().slice(1, 3)).toEqual([
      "  observability  destroyed",
      "  platform       not attempted",
    ]);
  });

  describe("Service Connect leftovers", () => {
    const fintech = destroyPlan(configFor("fintech", { ENVIRONMENT_SUFFIX: "pr7" }), [], CDKTF);

    test("reads the namespace id from the provider's error, through colours and wrapping", () => {
      expect(namespaceInUse(namespaceInUseOutput("ns-ebg2jra7orsj2y23"))).toEqual({
        namespaceIds: ["ns-ebg2jra7orsj2y23"],
      });
    });

    test("is not another error, nor a service that still has instances", () => {
      expect(namespaceInUse("platform  │ Error: No valid credential sources found")).toBeUndefined();
      expect(
        namespaceInUse(
          "platform  │ Error: deleting Service Discovery Service (srv-1): ResourceInUse: Service contains registered instances",
        ),
      ).toBeUndefined();
    });

    test("clears the namespace the error names, for this environment only, and retries platform once", async () => {
      const side = fakeSide((stack, attempt) =>
        stack === "platform" && attempt === 1
          ? { code: 1, tail: namespaceInUseOutput("ns-abc123def456") }
          : {},
      );
      expect((await executeDestroy(fintech, side.deps)).exitCode).toBe(EXIT.ok);
      expect(side.cleared).toEqual([["ns-abc123def456", "pr7.fintech.internal"]]);
      expect(side.stacks()).toEqual(["observability", "platform", "platform", "registry", "network"]);
      expect(side.report()[2]).toBe(
        "  platform       destroyed (after deleting 2 Cloud Map service(s) from pr7.fintech.internal)",
      );
    });

    test("retries only once", async () => {
      const side = fakeSide((stack) =>
        stack === "platform" ? { code: 1, tail: namespaceInUseOutput("ns-abc123def456") } : {},
      );
      expect((await executeDestroy(fintech, side.deps)).exitCode).toBe(EXIT.failed);
      expect(side.stacks()).toEqual(["observability", "platform", "platform"]);
      expect(side.cleared).toHaveLength(1);
    });

    test("any other platform failure clears nothing and is not retried", async () => {
      const side = fakeSide((stack) =>
        stack === "platform"
          ? { code: 1, tail: "platform  │ Error: deleting ECS Cluster: ClusterContainsServicesException" }
          : {},
      );
      expect((await executeDestroy(fintech, side.deps)).exitCode).toBe(EXIT.failed);
      expect(side.cleared).toEqual([]);
      expect(side.stacks()).toEqual(["observability", "platform"]);
    });

    test("the error on another stack clears nothing", async () => {
      const side = fakeSide((stack) =>
        stack === "observability" ? { code: 1, tail: namespaceInUseOutput("ns-abc123def456") } : {},
      );
      await executeDestroy(fintech, side.deps);
      expect(side.cleared).toEqual([]);
    });

    test("an error that names no namespace id clears nothing", async () => {
      const side = fakeSide((stack) =>
        stack === "platform"
          ? { code: 1, tail: "platform  │ Error: ResourceInUse: Namespace has associated services" }
          : {},
      );
      expect((await executeDestroy(fintech, side.deps)).exitCode).toBe(EXIT.failed);
      expect(side.cleared).toEqual([]);
      expect(side.lines.join("\n")).toMatch(/names no namespace id: not clearing anything/);
    });

    test("a namespace that is not this environment's is left alone and platform is not retried", async () => {
      const side = fakeSide((stack) =>
        stack === "platform" ? { code: 1, tail: namespaceInUseOutput("ns-other000000") } : {},
      );
      side.clearWith(async () => {
        throw new Error("namespace ns-other000000 is named pr8.fintech.internal, not this environment's");
      });
      expect((await executeDestroy(fintech, side.deps)).exitCode).toBe(EXIT.failed);
      expect(side.stacks()).toEqual(["observability", "platform"]);
      expect(side.lines.join("\n")).toMatch(
        /not clearing namespace ns-other000000: .*pr8\.fintech\.internal/,
      );
    });
  });
});

describe("clearing a namespace (Cloud Map)", () => {
  const client = () => new ServiceDiscoveryClient({ region: "us-east-1" });

  test("confirms the namespace's name, then deregisters instances and deletes its services", async () => {
    const cloudMap = mockClient(ServiceDiscoveryClient);
    try {
      cloudMap
        .on(GetNamespaceCommand, { Id: "ns-1" })
        .resolves({ Namespace: { Id: "ns-1", Name: "pr7.fintech.internal" } })
        .on(ListServicesCommand)
        .resolves({
          Services: [
            { Id: "srv-1", Name: "accounts-pr7" },
            { Id: "srv-2", Name: "transactions-pr7" },
          ],
        })
        .on(ListInstancesCommand, { ServiceId: "srv-1" })
        .resolves({ Instances: [{ Id: "10.30.1.5" }] })
        .on(ListInstancesCommand, { ServiceId: "srv-2" })
        .resolves({ Instances: [] })
        .on(DeleteServiceCommand, { Id: "srv-1" })
        .rejectsOnce(Object.assign(new Error("instances still registered"), { name: "ResourceInUse" }))
        .resolves({});
      cloudMap.on(DeleteServiceCommand, { Id: "srv-2" }).resolves({});
      const deleted = await clearNamespace(
        client(),
        "ns-1",
        "pr7.fintech.internal",
        () => undefined,
        async () => undefined,
      );
      expect(deleted).toBe(2);
      expect(cloudMap.commandCalls(ListServicesCommand)[0].args[0].input.Filters).toEqual([
        { Name: "NAMESPACE_ID", Values: ["ns-1"], Condition: "EQ" },
      ]);
      expect(cloudMap.commandCalls(DeregisterInstanceCommand).map((c) => c.args[0].input)).toEqual([
        { ServiceId: "srv-1", InstanceId: "10.30.1.5" },
      ]);
      expect(cloudMap.commandCalls(DeleteServiceCommand)).toHaveLength(3);
      expect(cloudMap.commandCalls(ListNamespacesCommand)).toHaveLength(0);
    } finally {
      cloudMap.restore();
    }
  });

  test("fails and deletes nothing when the namespace is another environment's", async () => {
    const cloudMap = mockClient(ServiceDiscoveryClient);
    try {
      cloudMap.on(GetNamespaceCommand).resolves({ Namespace: { Id: "ns-2", Name: "pr8.fintech.internal" } });
      await expect(clearNamespace(client(), "ns-2", "pr7.fintech.internal", () => undefined)).rejects.toThrow(
        /^namespace ns-2 is named pr8\.fintech\.internal, not this environment's pr7\.fintech\.internal: not touching it$/,
      );
      expect(cloudMap.commandCalls(ListServicesCommand)).toHaveLength(0);
      expect(cloudMap.commandCalls(DeleteServiceCommand)).toHaveLength(0);
    } finally {
      cloudMap.restore();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe("main", () => {
  const io = (over: Partial<MainIo> & { side?: ReturnType<typeof fakeSide> } = {}) => {
    const out: string[] = [];
    const log: string[] = [];
    const asked: string[] = [];
    const side = over.side ?? fakeSide();
    const value: MainIo = {
      out: (l) => out.push(l),
      log: (l) => log.push(l),
      interactive: false,
      ask: async (q) => {
        asked.push(q);
        return "trading/dev";
      },
      deps: () => side.deps,
      readState: async () => undefined,
      ...over,
    };
    return { value, out, log, asked, side };
  };
  const env = { ENVIRONMENT_SUFFIX: "dev" };

  test("refuses to run without ENVIRONMENT_SUFFIX, saying how to set it (exit 2, nothing run)", async () => {
    for (const missing of [{}, { ENVIRONMENT_SUFFIX: "" }]) {
      const t = io();
      expect(await main(["--yes"], missing, t.value)).toBe(EXIT.usage);
      expect(t.log).toEqual([
        "error: ENVIRONMENT_SUFFIX is not set: npm run destroy destroys the environment it names and has no default. Set it for the command, e.g. ENVIRONMENT_SUFFIX=dev npm run destroy",
      ]);
      expect(t.side.started).toEqual([]);
    }
  });

  test("--help prints the usage on stdout, without an environment", async () => {
    const t = io();
    expect(await main(["--help"], {}, t.value)).toBe(EXIT.ok);
    expect(t.out).toEqual([HELP]);
    expect(HELP).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}130 .*\n {2}143 /);
    expect(HELP).toMatch(/ENVIRONMENT_SUFFIX {2}required, no default/);
    expect(HELP).toMatch(/observability, platform, registry, network/);
    expect(HELP).toMatch(/"state" stack .* is\nnever destroyed/);
  });

  test("--dry-run prints only the commands on stdout, asks nothing and runs nothing", async () => {
    const t = io({ interactive: true });
    expect(await main(["--dry-run"], env, t.value)).toBe(EXIT.ok);
    expect(t.out).toEqual(
      destroyPlan(configFor("trading", env), [], CDKTF).steps.map(
        (s) => `would run: ${formatCommand(s.argv)}`,
      ),
    );
    expect(t.log).toEqual([expect.stringMatching(/^destroying trading\/dev /)]);
    expect(t.asked).toEqual([]);
    expect(t.side.started).toEqual([]);
  });

  test("refuses at once without a terminal and without --yes (exit 2, nothing run)", async () => {
    const t = io({ interactive: false });
    expect(await main([], env, t.value)).toBe(EXIT.usage);
    expect(t.log).toEqual([
      "error: stdin is not a terminal, so the environment cannot be confirmed: pass --yes to destroy trading/dev without asking (npm run destroy -- --yes)",
    ]);
    expect(t.asked).toEqual([]);
    expect(t.side.started).toEqual([]);
  });

  test("asks for <blueprint>/<suffix> and destroys when it is typed", async () => {
    const t = io({ interactive: true });
    expect(await main([], env, t.value)).toBe(EXIT.ok);
    expect(t.asked).toEqual([expect.stringMatching(/Type trading\/dev to confirm: $/)]);
    expect(t.side.stacks()).toEqual(["observability", "platform", "registry", "network"]);
  });

  test.each([["dev"], ["trading/prod"], [""]])(
    "a wrong answer (%j) aborts with nothing run",
    async (answer) => {
      const t = io({ interactive: true, ask: async () => answer });
      expect(await main([], env, t.value)).toBe(EXIT.usage);
      expect(t.log.at(-1)).toMatch(/^aborted: .* is not trading\/dev; nothing was destroyed$/);
      expect(t.side.started).toEqual([]);
    },
  );

  test("Ctrl-C at the question exits 130 with nothing run", async () => {
    const t = io({ interactive: true, ask: async () => null });
    expect(await main([], env, t.value)).toBe(EXIT.SIGINT);
    expect(t.side.started).toEqual([]);
  });

  test("--yes destroys without asking", async () => {
    const t = io({ interactive: true });
    expect(await main(["--yes"], env, t.value)).toBe(EXIT.ok);
    expect(t.asked).toEqual([]);
    expect(t.side.started).toHaveLength(4);
  });

  test.each([
    [["--yes"], { ENVIRONMENT_SUFFIX: "Bad_Suffix" }, /ENVIRONMENT_SUFFIX: "Bad_Suffix" is not allowed/],
    [["--yes"], { ...env, CDK_RUNTIME: "pulumi" }, /CDK_RUNTIME: "pulumi" is not a known CDK runtime/],
    [["--yes", "state"], env, /refusing to destroy the "state" stack/],
    [["--yes", "platform"], env, /platform cannot be destroyed without the stacks that depend on it/],
    [["--yes", "--force"], env, /unknown option\(s\) --force/],
  ])("%j with %j: exit 2 before anything runs", async (args, environment, message) => {
    const t = io();
    expect(await main(args, environment, t.value)).toBe(EXIT.usage);
    expect(t.log.join("\n")).toMatch(message);
    expect(t.side.started).toEqual([]);
  });
});

describe("main: long-lived and persistent environments", () => {
  const EXAMPLE = join(__dirname, "../../examples/three-environments.yaml");
  const io = (over: Partial<MainIo> = {}, answer = "payments/dev") => {
    const log: string[] = [];
    const asked: string[] = [];
    const side = fakeSide();
    const value: MainIo = {
      out: () => undefined,
      log: (l) => log.push(l),
      interactive: true,
      ask: async (q) => {
        asked.push(q);
        return answer;
      },
      deps: () => side.deps,
      readState: async () => undefined,
      ...over,
    };
    return { value, log, asked, side };
  };
  const envOf = (suffix: string) => ({ BLUEPRINT: EXAMPLE, ENVIRONMENT_SUFFIX: suffix });

  test("refuses a persistent environment even when named, with the steps that release its protection", async () => {
    for (const args of [["--yes"], ["--environment", "payments/production"], []]) {
      const t = io();
      expect(await main(args, envOf("production"), t.value)).toBe(EXIT.usage);
      const text = t.log.join("\n");
      expect(text).toMatch(
        /refusing to destroy payments\/production: it is persistent \(lifecycle: persistent\)/,
      );
      expect(text).toMatch(
        /1\. set environments\.production\.lifecycle: retiring in .*three-environments\.yaml/,
      );
      expect(text).toMatch(/2\. ENVIRONMENT_SUFFIX=production npm run deploy/);
      expect(text).toMatch(
        /3\. ENVIRONMENT_SUFFIX=production npm run destroy -- --environment payments\/production/,
      );
      expect(t.asked).toEqual([]);
      expect(t.side.started).toEqual([]);
    }
  });

  test("refuses a persistent environment in --dry-run too: nothing it prints could run", async () => {
    const t = io();
    expect(await main(["--dry-run"], envOf("production"), t.value)).toBe(EXIT.usage);
    expect(t.side.started).toEqual([]);
  });

  test("refuses a declared environment that is not named with --environment", async () => {
    const t = io();
    expect(await main(["--yes"], envOf("dev"), t.value)).toBe(EXIT.usage);
    expect(t.log.join("\n")).toMatch(
      /payments\/dev is a long-lived environment \(declared under environments: in .*\); name it to destroy it: npm run destroy -- --environment payments\/dev/,
    );
    expect(t.side.started).toEqual([]);
  });

  test("refuses a declared environment named wrongly, showing what was given", async () => {
    const t = io();
    expect(await main(["--environment=payments/staging"], envOf("dev"), t.value)).toBe(EXIT.usage);
    expect(t.log.join("\n")).toMatch(/\(got --environment payments\/staging\)/);
    expect(t.side.started).toEqual([]);
  });

  test("a named declared environment is still confirmed by typing it, even with --yes", async () => {
    const t = io();
    expect(await main(["--yes", "--environment", "payments/dev"], envOf("dev"), t.value)).toBe(EXIT.ok);
    expect(t.asked).toEqual([expect.stringMatching(/Type payments\/dev to confirm: $/)]);
    expect(t.side.stacks()).toEqual(["observability", "platform", "registry", "network"]);
  });

  test("a named declared environment is not destroyed on a wrong answer", async () => {
    const t = io({}, "payments/staging");
    expect(await main(["--environment", "payments/dev"], envOf("dev"), t.value)).toBe(EXIT.usage);
    expect(t.side.started).toEqual([]);
  });

  test("a declared environment needs a terminal: --yes in CI is refused", async () => {
    const t = io({ interactive: false });
    expect(await main(["--yes", "--environment", "payments/dev"], envOf("dev"), t.value)).toBe(EXIT.usage);
    expect(t.log.join("\n")).toMatch(/needs a person to type its name, and stdin is not a terminal/);
    expect(t.side.started).toEqual([]);
  });

  test("an ad-hoc environment of the same blueprint destroys with --yes as before, its template pinned", async () => {
    const t = io({ interactive: false });
    const env = { ...envOf("pr42"), ENVIRONMENT_TEMPLATE: "dev" };
    expect(await main(["--yes"], env, t.value)).toBe(EXIT.ok);
    expect(t.side.stacks()).toEqual(["observability", "platform", "registry", "network"]);
    expect(t.side.started[0].argv).toEqual(
      expect.arrayContaining(["ENVIRONMENT_TEMPLATE=dev", "ENVIRONMENT_SUFFIX=pr42"]),
    );
  });

  describe("retiring production (lifecycle: retiring)", () => {
    const dir = mkdtempSync(join(tmpdir(), "destroy-retiring-"));
    const file = join(dir, "three-environments.yaml");
    const doc = parseYaml(readFileSync(EXAMPLE, "utf8"));
    doc.environments.production.lifecycle = "retiring";
    writeFileSync(file, stringifyYaml(doc));
    const retiring = { BLUEPRINT: file, ENVIRONMENT_SUFFIX: "production" };
    const named = ["--environment", "payments/production"];
    /** A state as `terraform state pull` prints it: one cluster and one load balancer. */
    const state = (cluster: Record<string, unknown>, lb: Record<string, unknown>) => ({
      version: 4,
      resources: [
        { mode: "managed", type: "aws_rds_cluster", name: "db", instances: [{ attributes: cluster }] },
        { mode: "managed", type: "aws_lb", name: "alb", instances: [{ attributes: lb }] },
        {
          mode: "data",
          type: "aws_rds_cluster",
          name: "x",
          instances: [{ attributes: { deletion_protection: true } }],
        },
      ],
    });
    const deployedProtected = state(
      { deletion_protection: true, skip_final_snapshot: false, delete_automated_backups: true },
      { enable_deletion_protection: true },
    );
    const released = state(
      { deletion_protection: false, skip_final_snapshot: false, delete_automated_backups: false },
      { enable_deletion_protection: false },
    );

    test("refuses while the deployed state still has deletion protection (the release was merged, not deployed)", async () => {
      const read: string[] = [];
      const t = io(
        {
          readState: async (_c, stack) => {
            read.push(stack);
            return stack === "platform" ? deployedProtected : undefined;
          },
        },
        "payments/production",
      );
      expect(await main(named, retiring, t.value)).toBe(EXIT.usage);
      const text = t.log.join("\n");
      expect(text).toMatch(/refusing to destroy payments\/production: its deployed state still protects it/);
      expect(text).toMatch(/platform: aws_rds_cluster\.db: deletion_protection is still true/);
      expect(text).toMatch(/platform: aws_lb\.alb: enable_deletion_protection is still true/);
      expect(text).toMatch(/delete_automated_backups is not false/);
      expect(text).toMatch(/Deploy it first \(ENVIRONMENT_SUFFIX=production npm run deploy/);
      expect(read).toEqual(["observability", "platform", "network"]);
      expect(t.side.started).toEqual([]);
    });

    test("once the release is deployed, naming and typing it destroys all but the registry", async () => {
      const t = io(
        { readState: async (_c, stack) => (stack === "platform" ? released : undefined) },
        "payments/production",
      );
      expect(await main(named, retiring, t.value)).toBe(EXIT.ok);
      expect(t.asked).toEqual([expect.stringMatching(/Type payments\/production to confirm: $/)]);
      expect(t.side.stacks()).toEqual(["observability", "platform", "network"]);
      expect(t.log.join("\n")).toMatch(/its registry stack is kept \(repositories with their images\)/);
    });

    test("still needs the name and the typed confirmation", async () => {
      const unnamed = io({ readState: async () => released }, "payments/production");
      expect(await main(["--yes"], retiring, unnamed.value)).toBe(EXIT.usage);
      const wrong = io({ readState: async () => released }, "payments/prod");
      expect(await main(named, retiring, wrong.value)).toBe(EXIT.usage);
      expect([...unnamed.side.started, ...wrong.side.started]).toEqual([]);
    });

    test("the registry is destroyed when named", async () => {
      const t = io({ readState: async () => released }, "payments/production");
      expect(await main(["registry", ...named], retiring, t.value)).toBe(EXIT.ok);
      expect(t.side.stacks()).toEqual(["registry"]);
    });
  });

  test("unreleasedProtection: an ephemeral environment may skip the snapshot, a retiring one may not", () => {
    const cluster = { deletion_protection: false, skip_final_snapshot: true, delete_automated_backups: true };
    const st = {
      resources: [
        { mode: "managed", type: "aws_rds_cluster", name: "db", instances: [{ attributes: cluster }] },
      ],
    };
    const dev = configFor("trading", {});
    expect(unreleasedProtection(dev, "platform", st)).toEqual([]);
    expect(unreleasedProtection({ ...dev, lifecycle: "retiring" }, "platform", st)).toEqual([
      "platform: aws_rds_cluster.db: skip_final_snapshot is still true (no final snapshot would be taken)",
      "platform: aws_rds_cluster.db: delete_automated_backups is not false (the automated backups would be deleted)",
    ]);
    expect(unreleasedProtection(dev, "platform", undefined)).toEqual([]);
  });

  test("readStackState reads the object the S3 backend writes; none when the stack has no state", async () => {
    const s3 = mockClient(S3Client);
    try {
      const config = configFor("trading", { TF_STATE_BUCKET: "acme-tfstate" });
      s3.on(GetObjectCommand, { Bucket: "acme-tfstate", Key: "trading/test/platform.tfstate" }).resolves({
        Body: { transformToString: async () => '{"version":4,"resources":[]}' } as never,
      });
      s3.on(GetObjectCommand, { Key: "trading/test/network.tfstate" }).rejects(
        Object.assign(new Error("The specified key does not exist."), { name: "NoSuchKey" }),
      );
      const client = new S3Client({ region: "us-east-1" });
      expect(await readStackState(config, "platform", client)).toEqual({ version: 4, resources: [] });
      expect(await readStackState(config, "network", client)).toBeUndefined();
    } finally {
      s3.restore();
    }
  });

  test("--environment without a value is a usage error", () => {
    expect(() => parseArgs(["--environment"])).toThrow(/--environment needs a value/);
    expect(parseArgs(["platform", "--environment", "a/b", "observability"])).toMatchObject({
      stacks: ["platform", "observability"],
      environment: "a/b",
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe("running a command", () => {
  const sink = () => {
    const chunks: string[] = [];
    return {
      chunks,
      stream: { write: (c: Buffer) => chunks.push(c.toString()) } as unknown as NodeJS.WritableStream,
    };
  };

  test("streams the output through and keeps its tail", async () => {
    const out = sink();
    const err = sink();
    const command = spawnCommand(
      [
        "node",
        "-e",
        "process.stdout.write('to stdout\\n'); process.stderr.write('to stderr\\n'); process.exit(3)",
      ],
      { stdout: out.stream as never, stderr: err.stream as never },
    );
    const result = await command.done;
    expect(result).toMatchObject({ code: 3, signal: null });
    expect(out.chunks.join("")).toBe("to stdout\n");
    expect(err.chunks.join("")).toBe("to stderr\n");
    expect(result.tail).toMatch(/to stdout\n[\s\S]*to stderr\n|to stderr\n[\s\S]*to stdout\n/);
  });

  test("a program that cannot start is a failed command", async () => {
    const result = await spawnCommand(["/nonexistent/cdktf"]).done;
    expect(result.code).not.toBe(0);
    expect(result.tail).toMatch(/ENOENT/);
  });

  test("a signal reaches the command and its children exactly once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "destroy-signal-"));
    const trap = (name: string) =>
      `let n = 0; process.on('SIGINT', () => { n++; require('fs').writeFileSync(${JSON.stringify(join(dir, name))}, String(n)); setTimeout(() => process.exit(130), 200); });`;
    const child = `${trap("child")} const c = require('child_process').spawn(process.execPath, ['-e', ${JSON.stringify(
      `${trap("grandchild")} setInterval(() => {}, 1000); console.log('ready');`,
    )}], { stdio: ['ignore', 'inherit', 'inherit'] }); c.on('exit', () => {}); setInterval(() => {}, 1000);`;
    const out = sink();
    const command = spawnCommand(["node", "-e", child], {
      stdout: out.stream as never,
      stderr: out.stream as never,
    });
    for (let i = 0; i < 100 && !out.chunks.join("").includes("ready"); i++)
      await new Promise((r) => setTimeout(r, 50));
    command.signal("SIGINT");
    const result = await command.done;
    expect(result.code).toBe(130);
    await new Promise((r) => setTimeout(r, 300));
    expect(readFileSync(join(dir, "child"), "utf8")).toBe("1");
    expect(readFileSync(join(dir, "grandchild"), "utf8")).toBe("1");
  });

  test("the tail keeps the last bytes only", () => {
    const tail = new OutputTail(10);
    tail.push(Buffer.from("0123456789"));
    tail.push(Buffer.from("abcdef"));
    expect(tail.text()).toBe("6789abcdef");
    tail.push(Buffer.from("0123456789ABC"));
    expect(tail.text()).toBe("3456789ABC");
  });
});
