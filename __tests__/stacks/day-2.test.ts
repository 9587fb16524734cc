/**
 * Day-2 changes of issue 14, each synthesized before and after: the plan simulator
 * (support/plan.ts) finds no step that would fail on AWS, and each test asserts the resources
 * that make the change safe (create-before-destroy target groups under new names, rules and
 * services replaced with the groups whose ARN they cannot receive, stable listener priorities,
 * security groups that are never replaced).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { BlueprintInput } from "../../config";
import { BUILT_IN_BLUEPRINTS } from "../../config/blueprints";
import { allowedStrategies, findCycle } from "../../config/schema";
import { FORCE_NEW, plan, Plan, resourcesOf, unsafeSteps } from "../support/plan";
import { blueprintWith, configFor, configFrom, Json, synthApp, synthStack } from "../support/synth";

type Edit = (bp: BlueprintInput) => void;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const svc = (bp: BlueprintInput, name: string): any => bp.services[name];

/** Each built-in blueprint's config once, so its synthesis is shared by every change (synthStack caches per config). */
const baseConfigs = new Map<string, ReturnType<typeof configFor>>();
const baseConfig = (blueprint: string) => {
  if (!baseConfigs.has(blueprint)) baseConfigs.set(blueprint, configFor(blueprint));
  return baseConfigs.get(blueprint)!;
};

/** The platform stack only (support/synth.ts synthStack; the test at the end shows it is synthApp's). */
const platformOf = (blueprint: string, edit?: Edit): Json =>
  edit
    ? synthStack(configFrom(blueprintWith(blueprint, edit)), "platform")
    : synthStack(baseConfig(blueprint), "platform");

interface Change {
  readonly before: Json;
  readonly after: Json;
  readonly plan: Plan;
}
function change(blueprint: string, edit: Edit, base?: Edit): Change {
  const before = platformOf(blueprint, base);
  const after = platformOf(blueprint, (bp) => {
    base?.(bp);
    edit(bp);
  });
  return { before, after, plan: plan(before, after) };
}

/** Addresses in a list that belong to one service's construct path. */
const ofService = (c: Change, list: readonly string[], service: string, type?: string) =>
  list.filter((k) => {
    const r = resourcesOf(c.after).get(k) ?? resourcesOf(c.before).get(k)!;
    return (
      (r["//"].metadata.path as string).startsWith(`platform/service-${service}/`) &&
      (type === undefined || k.startsWith(`${type}.`))
    );
  });

describe.each([
  ["trading", "api-gateway", "CodeDeploy"],
  ["orders", "api-gateway", "CodeDeploy"],
  ["fintech", "accounts", "ECS-native blue/green"],
])("%s: a web service's port changes (%s, %s)", (blueprint, service) => {
  const c = change(blueprint, (bp) => (svc(bp, service).port = 8095));

  test("applies in one deploy: no failing step", () => {
    expect(unsafeSteps(c.before, c.after, c.plan)).toEqual([]);
  });

  test("both target groups are replaced, created first under names that differ from the old ones", () => {
    const replaced = ofService(c, c.plan.replace, service, "aws_lb_target_group");
    expect(replaced).toHaveLength(2);
    for (const k of replaced) {
      const [old, now] = [resourcesOf(c.before).get(k)!, resourcesOf(c.after).get(k)!];
      expect(now.lifecycle.create_before_destroy).toBe(true);
      expect(now.name).not.toBe(old.name);
      expect(now.port).toBe(8095);
    }
  });

  test("the rules and the ECS service, whose target group the controller owns, are replaced with them", () => {
    expect(ofService(c, c.plan.replace, service, "aws_lb_listener_rule")).toHaveLength(2);
    expect(ofService(c, c.plan.replace, service, "aws_ecs_service")).toHaveLength(1);
  });

  test("no security group is replaced", () => {
    expect(c.plan.replace.filter((k) => k.startsWith("aws_security_group."))).toEqual([]);
  });
});

describe("trading: a rolling web service's port changes", () => {
  const rolling: Edit = (bp) => (svc(bp, "frontend").deployment = { strategy: "rolling" });
  const c = change("trading", (bp) => (svc(bp, "frontend").port = 8095), rolling);

  test("applies in one deploy: the rule and the service take the new group's ARN in place", () => {
    expect(unsafeSteps(c.before, c.after, c.plan)).toEqual([]);
    expect(ofService(c, c.plan.replace, "frontend", "aws_lb_target_group")).toHaveLength(1);
    expect(ofService(c, c.plan.update, "frontend", "aws_lb_listener_rule")).toHaveLength(1);
    expect(ofService(c, c.plan.replace, "frontend", "aws_lb_listener_rule")).toEqual([]);
  });
});

describe("trading: a web service's health check path and protocol change", () => {
  const c = change(
    "trading",
    (bp) => (svc(bp, "api-gateway").healthCheck = { path: "/ready", protocol: "HTTPS" }),
  );

  test("the target groups are updated in place: same names, nothing replaced", () => {
    expect(unsafeSteps(c.before, c.after, c.plan)).toEqual([]);
    expect(c.plan.replace).toEqual([]);
    const updated = ofService(c, c.plan.update, "api-gateway", "aws_lb_target_group");
    expect(updated).toHaveLength(2);
    for (const k of updated)
      expect(resourcesOf(c.after).get(k)!.health_check).toMatchObject({ path: "/ready", protocol: "HTTPS" });
  });
});

describe("trading: services are added, removed and renamed", () => {
  const added = change("trading", (bp) => {
    bp.services["admin"] = { ...svc(bp, "api-gateway"), paths: ["/admin/*"], calls: [] };
  });
  const removed = change("trading", (bp) => delete bp.services["frontend"]);
  const renamed = change("trading", (bp) => {
    bp.services["web-ui"] = bp.services["frontend"];
    delete bp.services["frontend"];
  });

  test.each([
    ["added", added],
    ["removed", removed],
    ["renamed", renamed],
  ])("%s: applies in one deploy, no other rule moves priority", (_, c) => {
    expect(unsafeSteps(c.before, c.after, c.plan)).toEqual([]);
  });

  test("added: the new service's groups and rules are created, nothing of the others is replaced", () => {
    expect(ofService(added, added.plan.create, "admin", "aws_lb_target_group")).toHaveLength(2);
    expect(added.plan.replace).toEqual([]);
  });

  test("removed: its rules depend on both its target groups, so Terraform deletes the rules first", () => {
    const before = resourcesOf(removed.before);
    const groups = ofService(removed, removed.plan.destroy, "frontend", "aws_lb_target_group");
    const rules = ofService(removed, removed.plan.destroy, "frontend", "aws_lb_listener_rule");
    expect(groups).toHaveLength(2);
    expect(rules).toHaveLength(2);
    for (const rule of rules) expect([...before.get(rule)!.depends_on].sort()).toEqual([...groups].sort());
  });
});

describe.each([
  ["trading", "api-gateway", "codedeploy", "rolling"],
  ["trading", "api-gateway", "codedeploy", "ecs-blue-green"],
  ["trading", "frontend", "codedeploy", "rolling"],
  ["orders", "api-gateway", "codedeploy", "ecs-blue-green"],
  ["fintech", "accounts", "ecs-blue-green", "rolling"],
])("%s: %s switches from %s to %s (and back)", (blueprint, service, from, to) => {
  const there = change(blueprint, (bp) => (svc(bp, service).deployment = { strategy: to }));
  const back = {
    before: there.after,
    after: there.before,
    plan: plan(there.after, there.before),
  };

  test("both directions apply in one deploy", () => {
    expect(unsafeSteps(there.before, there.after, there.plan)).toEqual([]);
    expect(unsafeSteps(back.before, back.after, back.plan)).toEqual([]);
  });

  test("the ECS service is replaced (in place it would keep the old load balancer or strategy), and its scalable target with it", () => {
    for (const p of [there.plan, back.plan]) {
      const replaced = ofService(there, p.replace, service, "aws_ecs_service");
      expect(replaced).toHaveLength(1);
      expect(ofService(there, p.replace, service, "aws_appautoscaling_target")).toHaveLength(1);
    }
  });

  test("the blue target group is kept: no replacement, so production keeps its group", () => {
    expect(ofService(there, there.plan.replace, service, "aws_lb_target_group")).toEqual([]);
  });

  test("green and the test rule exist only on the blue/green side; only blue/green rules ignore action", () => {
    const side = (stack: Json, strategy: string) => {
      const all = [...resourcesOf(stack).entries()].filter(([, r]) =>
        (r["//"].metadata.path as string).startsWith(`platform/service-${service}/traffic/`),
      );
      const rules = all.filter(([k]) => k.startsWith("aws_lb_listener_rule."));
      expect(all.some(([k]) => k.includes("_green_"))).toBe(strategy !== "rolling");
      expect(rules).toHaveLength(strategy === "rolling" ? 1 : 2);
      for (const [, r] of rules)
        expect(r.lifecycle?.ignore_changes ?? []).toEqual(strategy === "rolling" ? [] : ["action"]);
    };
    side(there.before, from);
    side(there.after, to);
  });
});

describe.each([
  ["fintech", ["accounts", "transactions", "payments-api"]],
  ["orders", ["api-gateway"]],
])("%s: HTTPS is turned on (the production listener changes)", (blueprint, services) => {
  const c = change(blueprint, (bp) => {
    bp.loadBalancer = {
      ...bp.loadBalancer,
      certificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/0b1c2d3e-aaaa-bbbb-cccc-000000000000",
    };
  });

  test("rules move to the new listeners by replacement, and the blue/green services follow them", () => {
    expect(unsafeSteps(c.before, c.after, c.plan)).toEqual([]);
    for (const service of services) {
      // The production rule moves from the HTTP to the HTTPS listener; the test listener keeps its
      // resource (HTTP becomes HTTPS in place).
      expect(ofService(c, c.plan.replace, service, "aws_lb_listener_rule")).toEqual([
        expect.stringContaining("production-rule"),
      ]);
      expect(ofService(c, c.plan.replace, service, "aws_ecs_service")).toHaveLength(1);
    }
  });
});

describe("trading: CPU and memory change", () => {
  const c = change("trading", (bp) => {
    svc(bp, "processing-service").cpu = 4096;
    svc(bp, "processing-service").memory = 8192;
  });

  test("a new task definition is registered; the service (which ignores task_definition) is not touched", () => {
    expect(unsafeSteps(c.before, c.after, c.plan)).toEqual([]);
    const changed = [...c.plan.update, ...c.plan.replace];
    expect(ofService(c, changed, "processing-service", "aws_ecs_task_definition")).toHaveLength(1);
    expect(ofService(c, changed, "processing-service", "aws_ecs_service")).toEqual([]);
  });
});

describe("trading: a calls edge is added", () => {
  const c = change("trading", (bp) => svc(bp, "frontend").calls.push("processing-service"));

  test("only standalone security group rules are created; no group is replaced or updated", () => {
    expect(unsafeSteps(c.before, c.after, c.plan)).toEqual([]);
    expect(c.plan.create.length).toBeGreaterThan(0);
    for (const k of c.plan.create) expect(k).toMatch(/^aws_vpc_security_group_(ingress|egress)_rule\./);
    expect([...c.plan.replace, ...c.plan.update].filter((k) => k.startsWith("aws_security_group."))).toEqual(
      [],
    );
  });
});

describe("trading: log retention changes", () => {
  const c = change("trading", (bp) => (bp.logRetentionDays = 90));

  test("log groups are updated in place under their names", () => {
    expect(unsafeSteps(c.before, c.after, c.plan)).toEqual([]);
    const groups = c.plan.update.filter((k) => k.startsWith("aws_cloudwatch_log_group."));
    expect(groups.length).toBeGreaterThan(0);
    expect(c.plan.replace.filter((k) => k.startsWith("aws_cloudwatch_log_group."))).toEqual([]);
  });
});

describe.each(["fintech", "fraud"])("%s: the database port changes", (blueprint) => {
  const c = change(blueprint, (bp) => (bp.database!.port = 5433));

  test("the database security group is not replaced (its description holds no port); rules and cluster update", () => {
    expect(unsafeSteps(c.before, c.after, c.plan)).toEqual([]);
    expect(c.plan.replace.filter((k) => k.startsWith("aws_security_group."))).toEqual([]);
    expect(c.plan.update.some((k) => k.startsWith("aws_rds_cluster."))).toBe(true);
  });
});

describe("the simulator catches what used to fail", () => {
  test("a target group replaced under the same name, or under a rule that ignores its action, is unsafe", () => {
    const before = platformOf("trading");
    const after: Json = JSON.parse(
      JSON.stringify(platformOf("trading", (bp) => (svc(bp, "api-gateway").port = 8095))),
    );
    for (const r of Object.values(after.resource.aws_lb_listener_rule as Record<string, Json>))
      delete r.lifecycle.replace_triggered_by;
    const tgs = after.resource.aws_lb_target_group as Record<string, Json>;
    const beforeTgs = before.resource.aws_lb_target_group as Record<string, Json>;
    for (const k of Object.keys(tgs)) if (beforeTgs[k]) tgs[k].name = beforeTgs[k].name;
    const problems = unsafeSteps(before, after).join("\n");
    expect(problems).toMatch(/created before its old instance is destroyed under the same name/);
    expect(problems).toMatch(/its action is ignored and it is not replaced\): ResourceInUse on delete/);
  });

  test("a security group replaced by a description change is unsafe", () => {
    const before = platformOf("fraud");
    const after: Json = JSON.parse(JSON.stringify(before));
    for (const sg of Object.values(after.resource.aws_security_group as Record<string, Json>))
      sg.description += " (port 5433)";
    expect(unsafeSteps(before, after).join("\n")).toMatch(/replaced while ENIs .* use it/);
  });
});

/** The whole change list of issue 14 on every built-in blueprint: no step that would fail. */
describe.each(Object.keys(BUILT_IN_BLUEPRINTS))("%s: every change of the day-2 list", (blueprint) => {
  const input = BUILT_IN_BLUEPRINTS[blueprint];
  const names = Object.keys(input.services);
  const web = names.find((n) => input.services[n].kind === "web")!;
  const called = new Set(names.flatMap((n) => input.services[n].calls ?? []));
  const leaf = names.find((n) => !called.has(n))!;
  const edge = names
    .flatMap((from) => names.map((to) => [from, to] as const))
    .find(([from, to]) => {
      if (from === to || input.services[to].kind === "scheduled") return false;
      if ((input.services[from].calls ?? []).includes(to)) return false;
      const graph = Object.fromEntries(names.map((n) => [n, [...(input.services[n].calls ?? [])]]));
      graph[from].push(to);
      return findCycle(graph) === undefined;
    });
  const mesh = input.mesh?.enabled ?? false;
  const edits: [string, Edit][] = [
    ["web port", (bp) => (svc(bp, web).port = 8097)],
    [
      "health check path and protocol",
      (bp) => (svc(bp, web).healthCheck = { path: "/ready", protocol: "HTTPS" }),
    ],
    ["add a service", (bp) => (bp.services["extra"] = { ...svc(bp, web), paths: ["/extra/*"], calls: [] })],
    ["remove a service", (bp) => delete bp.services[leaf]],
    [
      "rename a service",
      (bp) => {
        bp.services[`${leaf}-v2`] = bp.services[leaf];
        delete bp.services[leaf];
      },
    ],
    ...allowedStrategies("web", mesh).map((strategy): [string, Edit] => [
      `${web} to ${strategy}`,
      (bp) => (svc(bp, web).deployment = { strategy }),
    ]),
    [
      "CPU and memory",
      (bp) => {
        svc(bp, web).cpu = 4096;
        svc(bp, web).memory = 8192;
      },
    ],
    ...(edge
      ? [
          [
            `calls ${edge[0]} -> ${edge[1]}`,
            (bp: BlueprintInput) => (svc(bp, edge[0]).calls = [...(svc(bp, edge[0]).calls ?? []), edge[1]]),
          ] as [string, Edit],
        ]
      : []),
    ["log retention", (bp) => (bp.logRetentionDays = 90)],
    ...(input.database
      ? [["database port", (bp: BlueprintInput) => (bp.database!.port = 5433)] as [string, Edit]]
      : []),
  ];

  test.each(edits)("%s", (_, edit) => {
    const c = change(blueprint, (bp) => {
      edit(bp);
      for (const s of Object.values(bp.services))
        if (s.calls) s.calls = s.calls.filter((x) => x in bp.services);
    });
    expect(unsafeSteps(c.before, c.after, c.plan)).toEqual([]);
  });
});

/**
 * Issue 17 put the blueprint into account-scoped service-level names
 * (`role-<blueprint>-<service>-exec-<suffix>`). The "before" of an environment deployed earlier
 * is this synthesis with every resource's literal names set to what commit 95ad8fc really
 * synthesized for trading in `dev` (__tests__/fixtures/pre-17-trading-names.json); resources that
 * did not exist then are left out of it. The runbook in docs/day-2.md removes some replaced
 * resources from the state first; its type list is read from the document itself.
 */
describe("trading: upgrading an environment named before issue 17", () => {
  const fixture = JSON.parse(
    readFileSync(join(__dirname, "..", "fixtures", "pre-17-trading-names.json"), "utf8"),
  ) as { stacks: Record<string, Record<string, Record<string, string>>> };
  const stacks = synthApp(configFor("trading", { ENVIRONMENT_SUFFIX: "dev" })).stacks;
  const runbook = readFileSync(join(__dirname, "..", "..", "docs", "day-2.md"), "utf8");
  const section = runbook.slice(runbook.indexOf("## Upgrading an environment named before issue 17"));
  const keptTypes = [
    .../select\(\.type \| IN\(([^)]*)\)\)/.exec(section)![1].matchAll(/"([a-z0-9_]+)"/g),
  ].map((m) => m[1]);

  /** The stack as it was: only resources that existed, under the names they had. */
  const legacy = (stack: string): Json => {
    const old = fixture.stacks[stack];
    const before: Json = structuredClone(stacks[stack]);
    for (const [type, group] of Object.entries(before.resource as Record<string, Json>))
      for (const id of Object.keys(group)) {
        const names = old[`${type}.${id}`];
        if (names) Object.assign(group[id], names);
        else delete group[id];
      }
    return before;
  };
  const cases = ["registry", "platform"].map((stack) => {
    const before = legacy(stack);
    const after = stacks[stack];
    const p = plan(before, after);
    const kept = p.replace.filter((k) => keptTypes.includes(k.split(".")[0]));
    const rest: Json = structuredClone(before);
    for (const k of kept) delete rest.resource[k.split(".")[0]][k.split(".").slice(1).join(".")];
    return { stack, before, after, plan: p, kept, rest, afterRm: plan(rest, after) };
  });
  const all = (f: (c: (typeof cases)[number]) => string[]) => cases.flatMap(f);
  const named = (stack: string, type: string) =>
    Object.keys(fixture.stacks[stack]).filter((k) => k.startsWith(`${type}.`));

  test("the fixture holds the old names (no blueprint in them) and the new synthesis has the new ones", () => {
    const repo = Object.entries(fixture.stacks.registry).find(([k]) => k.startsWith("aws_ecr_repository."))!;
    expect(repo[1].name).toMatch(/^ecr-repo-[a-z-]+-dev$/);
    expect(repo[1].name).not.toMatch(/trading/);
    expect(stacks.registry.resource.aws_ecr_repository[repo[0].split(".")[1]].name).toMatch(/trading/);
  });

  test("the runbook keeps every old ECR repository, created secret (and its version) and task log group", () => {
    const kept = all((c) => c.kept);
    for (const type of ["aws_ecr_repository", "aws_ecr_lifecycle_policy", "aws_ecr_repository_policy"])
      expect(kept).toEqual(expect.arrayContaining(named("registry", type)));
    for (const type of [
      "aws_secretsmanager_secret",
      "aws_secretsmanager_secret_version",
      "aws_cloudwatch_log_group",
    ])
      expect(kept).toEqual(expect.arrayContaining(named("platform", type)));
    expect(named("registry", "aws_ecr_repository").length).toBe(3);
    expect(named("platform", "aws_secretsmanager_secret").length).toBe(2);
  });

  test("every address the runbook removes from state exists in the old state and in the new synthesis", () => {
    for (const c of cases)
      for (const k of c.kept) {
        expect(fixture.stacks[c.stack][k]).toBeDefined();
        expect(resourcesOf(c.after).has(k)).toBe(true);
      }
  });

  test("without the state rm, the apply would replace (delete) the repositories and secrets", () => {
    const replaced = all((c) => c.plan.replace);
    expect(replaced).toEqual(
      expect.arrayContaining([
        ...named("registry", "aws_ecr_repository"),
        ...named("platform", "aws_secretsmanager_secret"),
      ]),
    );
  });

  test("after the state rm, the apply replaces none of the kept types and fails at no step", () => {
    for (const c of cases) {
      expect(c.afterRm.replace.filter((k) => keptTypes.includes(k.split(".")[0]))).toEqual([]);
      expect(c.afterRm.destroy.filter((k) => keptTypes.includes(k.split(".")[0]))).toEqual([]);
      expect(unsafeSteps(c.rest, c.after, c.afterRm)).toEqual([]);
    }
  });

  test("IAM roles, target groups and web services' ECS services are replaced; security groups are not", () => {
    const replacedTypes = new Set(all((c) => c.afterRm.replace).map((k) => k.split(".")[0]));
    for (const type of ["aws_iam_role", "aws_lb_target_group", "aws_ecs_service"])
      expect(replacedTypes).toContain(type);
    expect(replacedTypes).not.toContain("aws_security_group");
  });

  test("the release records keep their names (they already carried the blueprint), so released tags survive", () => {
    expect(all((c) => c.afterRm.replace).filter((k) => k.startsWith("aws_ssm_parameter."))).toEqual([]);
  });

  test.each(Object.keys(BUILT_IN_BLUEPRINTS))(
    "%s: the runbook's type list covers every repository, secret, queue and log group, and what must be replaced with them",
    (blueprint) => {
      const synthesized = synthApp(baseConfig(blueprint)).stacks;
      for (const stack of ["registry", "platform"]) {
        const rs = resourcesOf(synthesized[stack]);
        const stateful = [...rs.keys()].filter((k) =>
          /^aws_(ecr_repository|secretsmanager_secret|sqs_queue|cloudwatch_log_group)\./.test(k),
        );
        for (const k of stateful) expect(keptTypes).toContain(k.split(".")[0]);
        // A resource whose ForceNew attribute refers to a kept one is replaced with it: kept too.
        for (const [k, r] of rs) {
          const forceNew = JSON.stringify((FORCE_NEW[k.split(".")[0]] ?? []).map((a) => r[a]));
          if (stateful.some((t) => forceNew.includes(`\${${t}.`)))
            expect(keptTypes).toContain(k.split(".")[0]);
        }
      }
    },
  );
});

describe("the platform stack synthesized alone (synthStack) is the one the whole app writes", () => {
  test.each(Object.keys(BUILT_IN_BLUEPRINTS))("%s", (blueprint) => {
    // A config object of its own, so neither result comes from the other's cache.
    expect(synthStack(configFor(blueprint), "platform")).toEqual(
      synthApp(baseConfig(blueprint)).stacks.platform,
    );
  });
});
