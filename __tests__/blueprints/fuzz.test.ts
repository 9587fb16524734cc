/**
 * A seeded, bounded fuzz of the built-in blueprints: a few hundred mutations (wrong types,
 * out-of-range numbers, names, paths, schedules, CIDRs, tags, access lists, secrets, environment
 * variables, unknown keys) are validated at load time; a small sample of the accepted ones is
 * synthesized with the guardrails. Every run must either fail with a user-facing error naming a
 * field, or synthesize output that passes the guardrails: never a crash, never a stack trace.
 * Change SEED to explore other mutations; a failure prints the mutation to reproduce it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { Blueprint, ConfigError, parseBlueprint, PlatformConfig } from "../../config";
import { BlueprintSchema, LOG_RETENTION_DAYS, MAX_TASKS_PER_SERVICE } from "../../config/schema";
import { FARGATE_CPU_SIZES } from "../../config/fargate";
import { BUILT_IN_BLUEPRINTS } from "../../config/blueprints";
import { userFacingMessage } from "../../modules/errors";
import { buildPlatformApp } from "../../stacks/app";

const SEED = 17;
const MUTATIONS_PER_BLUEPRINT = 75;
const SYNTHESIZED_SAMPLE = 4;

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** mulberry32: small, fast, deterministic. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values that break types, ranges and AWS's rules. */
const VALUES: unknown[] = [
  null, true, -1, 0, 0.5, 2.3, 3, 65536, 1e12, "", " ", "***", "*", "x".repeat(300), "aws:owner",
  "/api v1/*", "/**", "/api/v2/*", "0.0.0.0/0", "0.0.0.0/1", "10.0.0.0/33", "zz-north-9", "us-west-2a",
  "cron(61 * * * ? *)", "at(2026-02-30T10:00:00)", "rate(0 minutes)", "0:0", "root", "Bad_Name",
  "postgres://app:pw@db:5432/app", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "ELBSecurityPolicy-Nope",
  "arn:aws:kms:us-east-1:111122223333:alias/x", "9.6", "db.m1.small", "{ $.x > ", "xxxxxxxxxx",
  [], {}, ["/a", "/b", "/c", "/d", "/e", "/f"],
]; // prettier-ignore
const SERVICE_NAMES = [
  "xray-daemon",
  "database",
  "db-bootstrap",
  "jobs",
  "jobs-dlq",
  "api-gateway-dlq",
  "Bad_Name",
  "x".repeat(40),
];
const ENV_NAMES = ["QUEUE_URL", "AWS_XRAY_DAEMON_ADDRESS", "DATABASE_URL", "OK_VALUE", "1BAD"];

const pick = <T>(rnd: () => number, list: readonly T[]): T => list[Math.floor(rnd() * list.length)];

/** Every [parent, key] of the object tree, for mutation. */
function slots(node: Json, path: string[] = []): { parent: Json; key: string; path: string[] }[] {
  if (node === null || typeof node !== "object") return [];
  return Object.keys(node).flatMap((key) => [
    { parent: node, key, path: [...path, key] },
    ...slots(node[key], [...path, key]),
  ]);
}

interface Mutant {
  readonly blueprint: string;
  readonly description: string;
  readonly input: Json;
}

function mutate(blueprint: string, rnd: () => number): Mutant {
  const input = structuredClone(BUILT_IN_BLUEPRINTS[blueprint]) as Json;
  const services = Object.keys(input.services);
  const service = pick(rnd, services);
  const kind = Math.floor(rnd() * 7);
  let description: string;
  if (kind <= 2) {
    const slot = pick(rnd, slots(input));
    const value = pick(rnd, VALUES);
    slot.parent[slot.key] = structuredClone(value);
    description = `${slot.path.join(".")} = ${JSON.stringify(value)?.slice(0, 60)}`;
  } else if (kind === 3) {
    const slot = pick(rnd, slots(input));
    const typo = `${slot.key.slice(0, -1)}${slot.key.slice(-1) === "s" ? "z" : "s"}`;
    slot.parent[typo] = slot.parent[slot.key];
    delete slot.parent[slot.key];
    description = `${slot.path.join(".")} renamed to ${typo}`;
  } else if (kind === 4) {
    const name = pick(rnd, SERVICE_NAMES);
    input.services[name] = structuredClone(input.services[service]);
    description = `services.${name} = copy of ${service}`;
  } else if (kind === 5) {
    const variable = pick(rnd, ENV_NAMES);
    const value = pick(rnd, VALUES);
    input.services[service].environment = { ...input.services[service].environment, [variable]: value };
    description = `services.${service}.environment.${variable} = ${JSON.stringify(value)?.slice(0, 60)}`;
  } else {
    const list = pick(rnd, ["s3Buckets", "sqsQueues", "dynamodbTables"]);
    const name = pick(rnd, ["***", "*", "tfstate-" + blueprint + "-platform", "orders-table", "data-*"]);
    input.services[service].access = { ...input.services[service].access, [list]: [{ name, write: true }] };
    description = `services.${service}.access.${list} = [${name}]`;
  }
  return { blueprint, description, input };
}

const mutants = Object.keys(BUILT_IN_BLUEPRINTS).flatMap((blueprint, b) => {
  const rnd = random(SEED * 1000 + b);
  return Array.from({ length: MUTATIONS_PER_BLUEPRINT }, () => mutate(blueprint, rnd));
});

/** The load-time outcome of each mutant: the parsed blueprint or the thrown error. */
const outcomes = mutants.map((m) => {
  try {
    return { mutant: m, blueprint: parseBlueprint(structuredClone(m.input), `blueprints.${m.blueprint}`) };
  } catch (error) {
    return { mutant: m, error };
  }
});

/**
 * Whether a message's field path (after the blueprint label, before ": ") is a real path of the
 * mutated input: its first segment a key of the input or of the schema (a missing field), each
 * later segment a key of the input where the input has that node.
 */
const TOP_LEVEL_FIELDS = Object.keys(BlueprintSchema.shape);
function namesRealField(input: Json, path: string): boolean {
  const segments = path.split(".");
  if (!(segments[0] in input) && !TOP_LEVEL_FIELDS.includes(segments[0])) return false;
  let node: Json = input;
  for (const segment of segments) {
    if (node === null || typeof node !== "object" || !(segment in node)) return true; // a field the input lacks
    node = node[segment];
  }
  return true;
}
const fieldOf = (line: string, label: string): string | undefined =>
  line.startsWith(`  ${label}.`) ? /^([^:\s]+):/.exec(line.slice(label.length + 3))?.[1] : undefined;

/**
 * AWS's value rules for what the accepted blueprints feed into the API, checked on every
 * accepted mutation (cheap: no synthesis). A violation is "accepted but broken".
 */
function awsValueViolations(bp: Blueprint): string[] {
  const out: string[] = [];
  for (const [name, svc] of Object.entries(bp.services)) {
    // ECS "Tasks per service" quota 5,000; Application Auto Scaling capacities are integers.
    for (const field of ["desiredCount", "minCount", "maxCount"] as const) {
      const v = svc[field];
      if (!Number.isInteger(v) || v < 0 || v > MAX_TASKS_PER_SERVICE)
        out.push(`services.${name}.${field}: ${v}`);
    }
    if (!(FARGATE_CPU_SIZES as readonly number[]).includes(svc.cpu))
      out.push(`services.${name}.cpu: ${svc.cpu}`);
    if (!Number.isInteger(svc.memory)) out.push(`services.${name}.memory: ${svc.memory}`);
    // ECS service names: up to 255 letters, digits, hyphens, underscores; ours end up in 32-character ALB names.
    if (!/^[a-z][a-z0-9-]{1,27}$/.test(name)) out.push(`services.${name}: name`);
    const port = (svc as { port?: number }).port;
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535))
      out.push(`services.${name}.port: ${port}`);
  }
  // Tags: at most 50, keys up to 128 and values up to 256 characters, no aws: prefix.
  const tags = Object.entries(bp.tags);
  if (tags.length > 50) out.push(`tags: ${tags.length} tags`);
  for (const [k, v] of tags)
    if (k.length > 128 || String(v).length > 256 || k.toLowerCase().startsWith("aws:")) out.push(`tags.${k}`);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(bp.logRetentionDays))
    out.push(`logRetentionDays: ${bp.logRetentionDays}`);
  return out;
}

describe(`fuzz: ${mutants.length} mutations of the built-in blueprints (seed ${SEED})`, () => {
  test("every rejected mutation fails with a ConfigError whose every line names a real field of the blueprint", () => {
    const bad = outcomes
      .filter((o) => "error" in o)
      .filter(({ mutant, error }) => {
        if (!(error instanceof ConfigError)) return true;
        const lines = error.message.split("\n").slice(1);
        const label = `blueprints.${mutant.blueprint}`;
        return (
          lines.length === 0 ||
          lines.some((l) => {
            const field = fieldOf(l, label);
            return (
              field === undefined ||
              !namesRealField(mutant.input, field) ||
              /Invalid key in record|\[object Object\]/.test(l)
            );
          })
        );
      })
      .map(({ mutant, error }) => `${mutant.blueprint}: ${mutant.description}: ${String(error)}`);
    expect(bad).toEqual([]);
  });

  test("the field check refuses a message that names no field of the blueprint", () => {
    const input = BUILT_IN_BLUEPRINTS.trading as Json;
    expect(
      fieldOf(
        "  blueprints.trading.services.frontend.cpu: 300 is not a Fargate CPU size",
        "blueprints.trading",
      ),
    ).toBe("services.frontend.cpu");
    expect(namesRealField(input, "services.frontend.cpu")).toBe(true);
    expect(fieldOf("  blueprints.trading: something went wrong", "blueprints.trading")).toBeUndefined();
    expect(namesRealField(input, "Error")).toBe(false);
  });

  test("the mutations exercise both outcomes", () => {
    const rejected = outcomes.filter((o) => "error" in o).length;
    expect(rejected).toBeGreaterThan(mutants.length / 2);
    expect(mutants.length - rejected).toBeGreaterThan(0);
  });

  test("every accepted mutation keeps to AWS's value rules (task counts, CPU, ports, tags, retention)", () => {
    const broken = outcomes.flatMap((o) =>
      "blueprint" in o && o.blueprint
        ? awsValueViolations(o.blueprint).map((v) => `${o.mutant.blueprint}: ${o.mutant.description}: ${v}`)
        : [],
    );
    expect(broken).toEqual([]);
  });

  test("the value rules catch what the review found accepted (maxCount 1e12)", () => {
    const bp = parseBlueprint(structuredClone(BUILT_IN_BLUEPRINTS.fraud), "blueprints.fraud");
    const service = Object.keys(bp.services)[0];
    const broken = {
      ...bp,
      services: { ...bp.services, [service]: { ...bp.services[service], maxCount: 1e12 } },
    };
    expect(awsValueViolations(broken as Blueprint)).toEqual([`services.${service}.maxCount: 1000000000000`]);
  });

  test(`a sample of ${SYNTHESIZED_SAMPLE} accepted mutations synthesizes and passes the guardrails, or fails naming a blueprint field`, () => {
    const accepted = outcomes.filter(
      (o): o is typeof o & { blueprint: NonNullable<typeof o.blueprint> } =>
        "blueprint" in o && o.blueprint !== undefined,
    );
    const rnd = random(SEED);
    const sample = Array.from({ length: SYNTHESIZED_SAMPLE }, () => pick(rnd, accepted));
    const bad: string[] = [];
    for (const { mutant, blueprint } of sample) {
      const config: PlatformConfig = {
        ...blueprint,
        environmentSuffix: "fuzz",
        state: {
          bucket: `tfstate-${blueprint.name}-platform`,
          region: blueprint.region,
          noncurrentVersionDays: 90,
          bucketSource: "blueprint-default",
        },
        source: "fuzz",
        environment: { name: "fuzz", declared: false, environments: [] },
      };
      const app = new App({ outdir: mkdtempSync(join(tmpdir(), "fuzz-")) });
      try {
        buildPlatformApp(app, config, { guardrailLog: () => undefined });
        app.synth();
      } catch (error) {
        const message = userFacingMessage(error);
        // A guardrail failure of an accepted blueprint is "accepted but broken"; a build-time
        // check must name a field of the blueprint (`services.x.y: ...`).
        const field = /(?:^|\s)([a-zA-Z]+(?:\.[\w-]+)*): /.exec(message ?? "")?.[1];
        if (message === undefined || field === undefined || !namesRealField(mutant.input, field))
          bad.push(`${mutant.blueprint}: ${mutant.description}: ${message ?? `crashed: ${String(error)}`}`);
      }
    }
    expect(bad).toEqual([]);
  });
});
