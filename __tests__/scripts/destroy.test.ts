import { configFor } from "../support/synth";
import { destroyPlan, DESTROY_ORDER, executeDestroy, main } from "../../scripts/destroy";

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

  test("prints the banner before running anything", () => {
    const r = recorder();
    executeDestroy(destroyPlan(config, []), r.deps);
    expect(r.lines[0]).toMatch(/^destroying blueprint trading/);
    expect(r.ran).toEqual(["observability", "platform", "registry", "network"]);
  });

  test("a dry run prints the commands and runs none", () => {
    const r = recorder();
    expect(executeDestroy(destroyPlan(config, ["--dry-run"]), r.deps)).toBe(0);
    expect(r.ran).toEqual([]);
    expect(r.lines.slice(1)).toEqual(
      DESTROY_ORDER.map((s) => `would run: npx cdktf destroy ${s} --auto-approve`),
    );
  });

  test("stops at the first failing stack and returns its exit status", () => {
    const r = recorder([0, 3]);
    expect(executeDestroy(destroyPlan(config, []), r.deps)).toBe(3);
    expect(r.ran).toEqual(["observability", "platform"]);
    expect(r.lines.at(-1)).toMatch(/failed \(exit 3\): npx cdktf destroy platform --auto-approve; stopping/);
  });

  test("main returns 1 with the message on a config error", () => {
    const error = jest.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      expect(main([], { ENVIRONMENT_SUFFIX: "Bad_Suffix" }, recorder().deps)).toBe(1);
      expect(error).toHaveBeenCalledWith(
        expect.stringMatching(/ENVIRONMENT_SUFFIX: "Bad_Suffix" is not allowed/),
      );
    } finally {
      error.mockRestore();
    }
  });

  test("main returns 1 and runs nothing when asked to destroy state", () => {
    const error = jest.spyOn(console, "error").mockImplementation(() => undefined);
    const r = recorder();
    try {
      expect(main(["state"], { ENVIRONMENT_SUFFIX: "dev" }, r.deps)).toBe(1);
      expect(r.ran).toEqual([]);
    } finally {
      error.mockRestore();
    }
  });
});
