import { configFor } from "../support/synth";
import {
  DeleteServiceCommand,
  DeregisterInstanceCommand,
  ListInstancesCommand,
  ListNamespacesCommand,
  ListServicesCommand,
  ServiceDiscoveryClient,
} from "@aws-sdk/client-servicediscovery";
import { mockClient } from "aws-sdk-client-mock";
import { clearNamespace, destroyPlan, DESTROY_ORDER, executeDestroy, main } from "../../scripts/destroy";

describe("destroy plan", () => {
  const config = configFor("trading");

  test("destroys observability, platform, registry, network in that order", () => {
    expect(destroyPlan(config, []).commands).toEqual([
      ["npx", "cdktf", "destroy", "observability", "--auto-approve"],
      ["npx", "cdktf", "destroy", "platform", "--auto-approve"],
      ["npx", "cdktf", "destroy", "registry", "--auto-approve"],
      ["npx", "cdktf", "destroy", "network", "--auto-approve"],
    ]);
  });

  test("keeps the destroy order for requested stacks whatever order they are given in", () => {
    expect(destroyPlan(config, ["network", "platform"]).stacks).toEqual(["platform", "network"]);
  });

  test("never includes the state stack", () => {
    expect(DESTROY_ORDER).not.toContain("state");
  });

  test("fails when asked to destroy the state stack", () => {
    expect(() => destroyPlan(config, ["state"])).toThrow(
      /refusing to destroy the "state" stack: bucket tfstate-trading-platform holds the Terraform state of every environment of blueprint trading/,
    );
  });

  test("fails when asked for an unknown stack", () => {
    expect(() => destroyPlan(config, ["databse"])).toThrow(
      /unknown stack\(s\) databse \(stacks: observability, platform, registry, network\)/,
    );
  });

  test("fails on an unknown option", () => {
    expect(() => destroyPlan(config, ["--force"])).toThrow(
      /unknown option\(s\) --force \(allowed: --dry-run\)/,
    );
  });

  test("names the blueprint and the environment suffix in its banner", () => {
    expect(destroyPlan(config, []).banner).toMatch(
      /^destroying blueprint trading \(built-in:trading\), environment suffix "test", region us-east-1: observability, platform, registry, network/,
    );
  });
});

describe("executing a destroy", () => {
  const config = configFor("trading");
  const recorder = (statuses: number[] = []) => {
    const ran: string[] = [];
    const lines: string[] = [];
    return {
      ran,
      lines,
      deps: {
        run: (c: readonly string[]) => {
          ran.push(c[3]);
          return statuses[ran.length - 1] ?? 0;
        },
        log: (l: string) => lines.push(l),
      },
    };
  };

  test("prints the banner before running anything", async () => {
    const r = recorder();
    await executeDestroy(destroyPlan(config, []), r.deps);
    expect(r.lines[0]).toMatch(/^destroying blueprint trading/);
    expect(r.ran).toEqual(["observability", "platform", "registry", "network"]);
  });

  test("a dry run prints the commands and runs none", async () => {
    const r = recorder();
    expect(await executeDestroy(destroyPlan(config, ["--dry-run"]), r.deps)).toBe(0);
    expect(r.ran).toEqual([]);
    expect(r.lines.slice(1)).toEqual(
      DESTROY_ORDER.map((s) => `would run: npx cdktf destroy ${s} --auto-approve`),
    );
  });

  test("stops at the first failing stack and returns its exit status", async () => {
    const r = recorder([0, 3]);
    expect(await executeDestroy(destroyPlan(config, []), r.deps)).toBe(3);
    expect(r.ran).toEqual(["observability", "platform"]);
    expect(r.lines.at(-1)).toMatch(/failed \(exit 3\): npx cdktf destroy platform --auto-approve; stopping/);
  });

  test("main returns 1 with the message on a config error", async () => {
    const error = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      expect(await main([], { ENVIRONMENT_SUFFIX: "Bad_Suffix" }, recorder().deps)).toBe(1);
      expect(error).toHaveBeenCalledWith(
        expect.stringMatching(/ENVIRONMENT_SUFFIX: "Bad_Suffix" is not allowed/),
      );
    } finally {
      error.mockRestore();
    }
  });

  test("main returns 1 and runs nothing when asked to destroy state", async () => {
    const error = jest.spyOn(console, "error").mockImplementation(() => undefined);
    const r = recorder();
    try {
      expect(await main(["state"], { ENVIRONMENT_SUFFIX: "dev" }, r.deps)).toBe(1);
      expect(r.ran).toEqual([]);
    } finally {
      error.mockRestore();
    }
  });

  test("a blueprint without the mesh never clears a namespace", () => {
    expect(destroyPlan(config, []).serviceConnectNamespace).toBeUndefined();
  });
});

describe("Service Connect leftovers (mesh blueprints)", () => {
  const fintech = configFor("fintech", { ENVIRONMENT_SUFFIX: "pr7" });

  test("the plan names the environment's namespace", () => {
    expect(destroyPlan(fintech, []).serviceConnectNamespace).toBe("pr7.fintech.internal");
    expect(destroyPlan(fintech, ["network"]).serviceConnectNamespace).toBeUndefined();
  });

  test("a failed platform destroy clears the namespace and is retried once", async () => {
    const ran: string[] = [];
    const statuses = [0, 1, 0, 0, 0];
    const cleared: string[] = [];
    const status = await executeDestroy(destroyPlan(fintech, []), {
      run: (c) => {
        ran.push(c[3]);
        return statuses[ran.length - 1];
      },
      log: () => undefined,
      clearNamespace: async (name) => {
        cleared.push(name);
        return 3;
      },
    });
    expect(status).toBe(0);
    expect(cleared).toEqual(["pr7.fintech.internal"]);
    expect(ran).toEqual(["observability", "platform", "platform", "registry", "network"]);
  });

  test("clearNamespace deregisters instances and deletes every service of the namespace", async () => {
    const cloudMap = mockClient(ServiceDiscoveryClient);
    cloudMap
      .on(ListNamespacesCommand)
      .resolves({ Namespaces: [{ Id: "ns-1", Name: "pr7.fintech.internal" }] })
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
      new ServiceDiscoveryClient({ region: "us-east-1" }),
      "pr7.fintech.internal",
      () => undefined,
      async () => undefined,
    );
    expect(deleted).toBe(2);
    expect(cloudMap.commandCalls(ListNamespacesCommand)[0].args[0].input.Filters).toEqual([
      { Name: "NAME", Values: ["pr7.fintech.internal"], Condition: "EQ" },
    ]);
    expect(cloudMap.commandCalls(DeregisterInstanceCommand).map((c) => c.args[0].input)).toEqual([
      { ServiceId: "srv-1", InstanceId: "10.30.1.5" },
    ]);
    expect(cloudMap.commandCalls(DeleteServiceCommand)).toHaveLength(3);
    cloudMap.restore();
  });

  test("clearNamespace does nothing when the namespace is already gone", async () => {
    const cloudMap = mockClient(ServiceDiscoveryClient);
    cloudMap.on(ListNamespacesCommand).resolves({ Namespaces: [] });
    const lines: string[] = [];
    expect(
      await clearNamespace(new ServiceDiscoveryClient({ region: "us-east-1" }), "x.internal", (l) =>
        lines.push(l),
      ),
    ).toBe(0);
    expect(lines).toEqual(["namespace x.internal not found: nothing to clear"]);
    cloudMap.restore();
  });
});
