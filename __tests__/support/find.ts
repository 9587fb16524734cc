/**
 * Finders over a synthesized app (see synth.ts) for the blueprint conformance tests: a
 * service's resources are found by construct path (`platform/service-<name>/...`), shared ones
 * by their module's path, and references are asserted as `${type.id.attr}` strings.
 */
import { Json, resources } from "./synth";

/** A Terraform reference to a resource attribute, as cdktf writes it. */
export const ref = (type: string, id: string, attr: string): string => `\${${type}.${id}.${attr}}`;

const pathOf = (r: Json): string => (r["//"]?.metadata?.path as string | undefined) ?? "";

/** Resources of `type` whose construct path starts with `prefix`, as [logical id, resource]. */
export function underPath(stack: Json, type: string, prefix: string): [string, Json][] {
  return Object.entries(resources(stack, type)).filter(([, r]) => pathOf(r).startsWith(prefix));
}

/** Resources of `type` built for service `name` of the blueprint. */
export function ofService(stack: Json, type: string, name: string): [string, Json][] {
  return underPath(stack, type, `platform/service-${name}/`);
}

/** The one resource of `type` built for service `name` whose path contains `pathPart`. */
export function oneOf(stack: Json, type: string, name: string, pathPart = ""): [string, Json] {
  const found = ofService(stack, type, name).filter(([, r]) => pathOf(r).includes(pathPart));
  if (found.length !== 1)
    throw new Error(`expected one ${type} of ${name} matching "${pathPart}", got ${found.length}`);
  return found[0];
}

/** The one resource of `type` whose construct path starts with `prefix`. */
export function onlyUnder(stack: Json, type: string, prefix: string): [string, Json] {
  const found = underPath(stack, type, prefix);
  if (found.length !== 1) throw new Error(`expected one ${type} under ${prefix}, got ${found.length}`);
  return found[0];
}

/** Service `name`'s release record: the SSM parameter its image comes from, as [logical id, resource]. */
export function releaseRecord(platform: Json, name: string): [string, Json] {
  return oneOf(platform, "aws_ssm_parameter", name, "/release/");
}

/**
 * The image service `name` runs, as its release record holds it before the first release
 * (`<repository>:bootstrap`); fails unless the app container reads its image from the record.
 */
export function imageOf(platform: Json, name: string): string {
  const [id, record] = releaseRecord(platform, name);
  const image = appContainer(platform, name).container.image as string;
  if (image !== ref("aws_ssm_parameter", id, "insecure_value"))
    throw new Error(`${name}'s image ${image} does not come from its release record ${id}`);
  return record.insecure_value as string;
}

/**
 * The expression a count (or schedule state) of service `name` takes: `bootstrap` until its
 * first release (its record still names the bootstrap image), `released` after.
 */
export function afterRelease(
  platform: Json,
  name: string,
  released: number | string,
  bootstrap: number | string = 0,
): string {
  const [id] = releaseRecord(platform, name);
  return `\${endswith(aws_ssm_parameter.${id}.insecure_value, ":bootstrap") ? ${bootstrap} : ${released}}`;
}

/** Container definitions of a task definition, parsed. */
export const containersOf = (taskDefinition: Json): Json[] =>
  JSON.parse(taskDefinition.container_definitions as string) as Json[];

/** Service `name`'s task definition and its application container (named after the service). */
export function appContainer(platform: Json, name: string): { taskDefinition: Json; container: Json } {
  const [, taskDefinition] = oneOf(platform, "aws_ecs_task_definition", name);
  const container = containersOf(taskDefinition).find((c) => c.name === name);
  if (!container) throw new Error(`task definition of ${name} has no container named ${name}`);
  return { taskDefinition, container };
}

/**
 * The statements of a role policy, in the shape of an `aws_iam_policy_document` statement
 * (`sid`, `effect` when Deny, `actions`, `resources`, `condition: [{ test, variable, values }]`):
 * read from the policy document it references (`${data.aws_iam_policy_document.X.json}`) or
 * from its literal policy JSON.
 */
export function statementsOf(stack: Json, rolePolicy: Json): Json[] {
  const id = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(rolePolicy.policy as string)?.[1];
  if (id) return stack.data.aws_iam_policy_document[id].statement as Json[];
  return policyJsonStatements(rolePolicy.policy as string);
}

/** The statements of literal IAM policy JSON, in the shape `statementsOf` returns. */
export function policyJsonStatements(policy: string): Json[] {
  const doc = JSON.parse(policy) as Json;
  if (doc.Version !== "2012-10-17") throw new Error(`policy has Version ${doc.Version}, not 2012-10-17`);
  return (doc.Statement as Json[]).map((s) => {
    const out: Json = {};
    if (s.Sid !== undefined) out.sid = s.Sid;
    if (s.Effect === "Deny") out.effect = "Deny";
    else if (s.Effect !== "Allow") throw new Error(`statement ${s.Sid} has Effect ${s.Effect}`);
    if (s.Action !== undefined) out.actions = s.Action;
    if (s.NotAction !== undefined) out.not_actions = s.NotAction;
    if (s.Resource !== undefined) out.resources = s.Resource;
    if (s.NotResource !== undefined) out.not_resources = s.NotResource;
    if (s.Condition !== undefined) {
      out.condition = Object.entries(s.Condition as Record<string, Record<string, string[]>>).flatMap(
        ([test, byVariable]) =>
          Object.entries(byVariable).map(([variable, values]) => ({ test, values, variable })),
      );
    }
    return out;
  });
}

/** Actions a service's task role (`task-policy`) or execution role (`execution-policy`) allows. */
export function allowedActions(
  platform: Json,
  name: string,
  policy: "task-policy" | "execution-policy",
): string[] {
  const [, rolePolicy] = oneOf(platform, "aws_iam_role_policy", name, policy);
  return statementsOf(platform, rolePolicy)
    .filter((s) => s.effect !== "Deny")
    .flatMap((s) => s.actions as string[]);
}

/** Resources a service's role policy grants `action` on. */
export function resourcesFor(
  platform: Json,
  name: string,
  policy: "task-policy" | "execution-policy",
  action: string,
): string[] {
  const [, rolePolicy] = oneOf(platform, "aws_iam_role_policy", name, policy);
  return statementsOf(platform, rolePolicy)
    .filter((s) => (s.actions as string[]).includes(action))
    .flatMap((s) => s.resources as string[]);
}

/** Scaling policies of a service by kind (`cpu-policy`, `memory-policy`, `custom-policy`, ...). */
export function scalingPolicy(platform: Json, name: string, kind: string): Json {
  return oneOf(platform, "aws_appautoscaling_policy", name, `/scaling/${kind}`)[1];
}

/** The default tags every stack's provider puts on every taggable resource. */
export const defaultTags = (stack: Json): Record<string, string> =>
  stack.provider.aws[0].default_tags[0].tags as Record<string, string>;

/** Name-like attributes: every literal one must end with the environment suffix. */
const NAME_KEYS = [
  "name",
  "name_prefix",
  "bucket_prefix",
  "cluster_identifier",
  "identifier",
  "family",
  "alarm_name",
  "dashboard_name",
  "rule_name",
  "group_name",
  "deployment_group_name",
];

/** Every literal resource name in a stack (references such as `${...}` are skipped). */
export function literalNames(stack: Json): { at: string; name: string }[] {
  const names: { at: string; name: string }[] = [];
  for (const [type, byId] of Object.entries((stack.resource ?? {}) as Record<string, Record<string, Json>>)) {
    for (const [id, r] of Object.entries(byId)) {
      const values = NAME_KEYS.map((k) => r[k]).concat(r.tags?.Name);
      for (const v of values)
        if (typeof v === "string" && !v.includes("${")) names.push({ at: `${type}.${id}`, name: v });
    }
  }
  return names;
}

/**
 * How a literal name found by `literalNames` carries the environment suffix `test`: a `-test`
 * ending, the namespace's `test.` label, or the `/<blueprint>/test/` path of an SSM parameter.
 */
export function suffixPattern(at: string, blueprint: string): RegExp {
  if (at.includes("private_dns_namespace")) return /: test\./;
  if (at.startsWith("aws_ssm_parameter")) return new RegExp(`: /${blueprint}/test/release/`);
  return /-test$/;
}

/** The stacks a blueprint deploys per environment (`state` is once per account). */
export const ENVIRONMENT_STACKS = ["network", "registry", "platform", "observability"] as const;

/**
 * What would stop `terraform destroy` or leave something behind, across the environment's
 * stacks: deletion protection, retained resources, non-empty buckets and repositories, secrets
 * in their recovery window, Cloud Map services with instances, final snapshots.
 */
export function destroyBlockers(stacks: Record<string, Json>): string[] {
  const blockers: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) blockers.push(what);
  };
  for (const id of ENVIRONMENT_STACKS) {
    const stack = stacks[id];
    for (const [type, byId] of Object.entries((stack.resource ?? {}) as Record<string, Record<string, Json>>))
      for (const [rid, r] of Object.entries(byId))
        check(r.lifecycle?.prevent_destroy !== true, `${id}: ${type}.${rid} has prevent_destroy`);
    const each = (type: string, test: (r: Json) => boolean, what: string) => {
      for (const [rid, r] of Object.entries(resources(stack, type)))
        check(test(r), `${id}: ${type}.${rid} ${what}`);
    };
    each("aws_lb", (r) => r.enable_deletion_protection === false, "has deletion protection");
    each("aws_rds_cluster", (r) => r.deletion_protection === false, "has deletion protection");
    each("aws_rds_cluster", (r) => r.skip_final_snapshot === true, "takes a final snapshot");
    each("aws_s3_bucket", (r) => r.force_destroy === true, "is not force_destroy");
    each("aws_ecr_repository", (r) => r.force_delete === true, "is not force_delete");
    each("aws_ecs_service", (r) => r.force_delete === true, "is not force_delete");
    each("aws_secretsmanager_secret", (r) => r.recovery_window_in_days === 0, "keeps a recovery window");
    each("aws_service_discovery_service", (r) => r.force_destroy === true, "is not force_destroy");
  }
  return blockers;
}

/**
 * How each private subnet reaches the internet: private subnet logical id → the NAT gateway its
 * route table's default route uses (logical id) and the public subnet that NAT gateway sits in.
 */
export function privateEgress(network: Json): Record<string, { nat: string; natSubnet: string }> {
  const idIn = (reference: string, type: string) =>
    new RegExp(`^\\$\\{${type}\\.([^.]+)\\.id\\}$`).exec(reference)?.[1] ?? reference;
  const egress: Record<string, { nat: string; natSubnet: string }> = {};
  for (const [subnetId] of underPath(network, "aws_subnet", "network/vpc/private-subnet-")) {
    const association = Object.values(resources(network, "aws_route_table_association")).find(
      (a) => idIn(a.subnet_id, "aws_subnet") === subnetId,
    );
    const route = Object.values(resources(network, "aws_route")).find(
      (r) => r.route_table_id === association?.route_table_id && r.destination_cidr_block === "0.0.0.0/0",
    );
    if (!route?.nat_gateway_id) continue;
    const nat = idIn(route.nat_gateway_id, "aws_nat_gateway");
    egress[subnetId] = {
      nat,
      natSubnet: idIn(resources(network, "aws_nat_gateway")[nat].subnet_id, "aws_subnet"),
    };
  }
  return egress;
}

export interface DashboardMetric {
  readonly widget: string;
  readonly namespace: string;
  readonly metric: string;
  readonly stat?: string;
  /** Dimension names and values, flattened as in the dashboard body. */
  readonly dimensions: string[];
}

/** The metrics a CloudWatch dashboard graphs (math expressions left out), by its dashboard name. */
export function dashboardMetrics(observability: Json, dashboardName: string): DashboardMetric[] {
  const dashboard = Object.values(resources(observability, "aws_cloudwatch_dashboard")).find(
    (d) => d.dashboard_name === dashboardName,
  );
  if (!dashboard) throw new Error(`no dashboard named ${dashboardName}`);
  const widgets = JSON.parse(dashboard.dashboard_body as string).widgets as Json[];
  return widgets.flatMap((w) =>
    ((w.properties.metrics ?? []) as unknown[][])
      .filter((row) => typeof row[0] === "string")
      .map((row) => {
        const last = row[row.length - 1];
        const options = typeof last === "object" && last !== null ? (last as Json) : {};
        const names = row.filter((x): x is string => typeof x === "string");
        return {
          widget: w.properties.title as string,
          namespace: names[0],
          metric: names[1],
          stat: options.stat as string | undefined,
          dimensions: names.slice(2),
        };
      }),
  );
}

/**
 * What a cross-stack reference (`${data.terraform_remote_state.<x>.outputs.<output>}`) stands
 * for in the producing stack: that output's value, e.g. `${aws_ecs_service.<id>.name}`.
 */
export function throughRemoteState(producer: Json, reference: string): string {
  const output = /^\$\{data\.terraform_remote_state\.[^.]+\.outputs\.([^}]+)\}$/.exec(reference)?.[1];
  if (!output || !producer.output?.[output])
    throw new Error(`not a remote-state output reference: ${reference}`);
  return producer.output[output].value as string;
}
