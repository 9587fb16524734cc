/**
 * A small plan simulator over two syntheses of a stack: which resources Terraform would create,
 * destroy, replace or update, from the attributes the AWS provider replaces a resource for
 * (ForceNew) and `replace_triggered_by`; and which of those steps would fail on AWS the way the
 * day-2 changes of issue 14 failed (a deleted target group still under a rule, a name taken
 * twice, a security group replaced under its ENIs, a listener priority moved onto a taken one).
 */
import type { Json } from "./synth";

/** Attributes whose change replaces the resource (AWS provider 6.x schemas, ForceNew). */
export const FORCE_NEW: Readonly<Record<string, readonly string[]>> = {
  aws_lb_target_group: ["name", "name_prefix", "port", "protocol", "target_type", "vpc_id"],
  aws_security_group: ["name", "name_prefix", "description", "vpc_id"],
  aws_lb_listener_rule: ["listener_arn"],
  aws_lb_listener: ["load_balancer_arn"],
  aws_ecs_service: ["name", "cluster"],
  aws_cloudwatch_log_group: ["name"],
  aws_service_discovery_service: ["name", "namespace_id"],
  aws_rds_cluster: ["cluster_identifier", "engine", "database_name"],
  aws_iam_role: ["name"],
  aws_codedeploy_app: ["name", "compute_platform"],
  aws_ssm_parameter: ["name"],
  // The stateful resources a lifecycle profile switch touches (deletion protection, recovery
  // windows, force_delete/force_destroy are not among them: they update in place).
  aws_lb: ["name", "name_prefix", "internal", "load_balancer_type"],
  aws_ecr_repository: ["name", "encryption_configuration"],
  aws_secretsmanager_secret: ["name", "name_prefix"],
  aws_secretsmanager_secret_version: ["secret_id"],
  aws_ecr_lifecycle_policy: ["repository"],
  aws_ecr_repository_policy: ["repository"],
  aws_sqs_queue: ["name", "name_prefix", "fifo_queue"],
  aws_sqs_queue_redrive_allow_policy: ["queue_url"],
  aws_kms_key: ["customer_master_key_spec", "key_usage", "multi_region"],
  aws_s3_bucket: ["bucket", "bucket_prefix"],
  // Terraform's built-in terraform_data: replaced when triggers_replace changes.
  terraform_data: ["triggers_replace"],
};

/** Types whose `name` is unique per account/region (or per VPC): never two at once. */
const UNIQUE_NAMES = [
  "aws_lb_target_group",
  "aws_security_group",
  "aws_iam_role",
  "aws_ecs_service",
  "aws_cloudwatch_log_group",
  "aws_codedeploy_app",
];

/**
 * What references a target group or a listener rule, and the attribute holding the reference
 * that a deployment controller may own (and Terraform then ignores).
 */
const REFERRERS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  aws_lb_target_group: {
    aws_lb_listener_rule: "action",
    aws_ecs_service: "load_balancer",
    aws_lb_listener: "default_action",
  },
  // ECS-native blue/green names its rules in load_balancer.advanced_configuration.
  aws_lb_listener_rule: { aws_ecs_service: "load_balancer" },
};

export interface Plan {
  readonly create: string[];
  readonly destroy: string[];
  readonly replace: string[];
  readonly update: string[];
}

type Resources = Map<string, Json>;

export function resourcesOf(stack: Json): Resources {
  const out: Resources = new Map();
  for (const [type, byId] of Object.entries((stack.resource ?? {}) as Record<string, Record<string, Json>>))
    for (const [id, r] of Object.entries(byId)) out.set(`${type}.${id}`, r);
  return out;
}

const typeOf = (address: string) => address.split(".")[0];
const body = (r: Json) => {
  const { "//": _meta, lifecycle: _l, depends_on: _d, ...rest } = r;
  return rest;
};
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function plan(before: Json, after: Json): Plan {
  const b = resourcesOf(before);
  const a = resourcesOf(after);
  const create = [...a.keys()].filter((k) => !b.has(k));
  const destroy = [...b.keys()].filter((k) => !a.has(k));
  const replace = new Set<string>();
  const update: string[] = [];
  for (const [k, r] of a) {
    const old = b.get(k);
    if (!old) continue;
    if ((FORCE_NEW[typeOf(k)] ?? []).some((attr) => !same(old[attr], r[attr]))) replace.add(k);
    else if (!same(body(old), body(r))) update.push(k);
  }
  // replace_triggered_by "<type>.<id>.<attr>": replaced with the resource it names.
  for (let changed = true; changed;) {
    changed = false;
    for (const [k, r] of a) {
      if (replace.has(k) || !b.has(k)) continue;
      const triggers: string[] = r.lifecycle?.replace_triggered_by ?? [];
      // A ForceNew attribute referring to a replaced resource gets a new value: replaced too.
      const forceNewRefs = (FORCE_NEW[typeOf(k)] ?? []).map((attr) => JSON.stringify(r[attr] ?? ""));
      if (
        triggers.some((t) => replace.has(t.split(".").slice(0, 2).join("."))) ||
        [...replace].some((t) => forceNewRefs.some((v) => v.includes(`\${${t}.`)))
      ) {
        replace.add(k);
        changed = true;
      }
    }
  }
  // A reference to a replaced resource gets its new (unknown until apply) value: an update,
  // unless the referencing attribute is ignored.
  for (const [k, r] of a) {
    if (replace.has(k) || !b.has(k) || update.includes(k)) continue;
    const ignored: string[] = r.lifecycle?.ignore_changes ?? [];
    const refs = Object.entries(body(r))
      .filter(([attr]) => !ignored.includes(attr))
      .map(([, v]) => JSON.stringify(v));
    if ([...replace].some((t) => refs.some((v) => v.includes(`\${${t}.`)))) update.push(k);
  }
  return { create, destroy, replace: [...replace], update: update.filter((k) => !replace.has(k)) };
}

const refersTo = (r: Json, address: string) =>
  JSON.stringify(body(r)).includes(`\${${address}.`) || (r.depends_on ?? []).includes(address);

/** The steps of `plan` that would fail or need a manual step on AWS, each explained. */
export function unsafeSteps(before: Json, after: Json, p: Plan = plan(before, after)): string[] {
  const b = resourcesOf(before);
  const a = resourcesOf(after);
  const problems: string[] = [];
  for (const k of p.replace) {
    const [old, now] = [b.get(k)!, a.get(k)!];
    if (typeOf(k) === "aws_security_group")
      problems.push(`${k} is replaced while ENIs (tasks, the database) use it: DependencyViolation`);
    if (UNIQUE_NAMES.includes(typeOf(k)) && now.lifecycle?.create_before_destroy && old.name === now.name)
      problems.push(`${k} is created before its old instance is destroyed under the same name ${now.name}`);
    if (typeOf(k) === "aws_lb_target_group" && !now.lifecycle?.create_before_destroy)
      problems.push(`${k} is destroyed before its replacement exists while rules and services use it`);
  }
  // Groups that go away (replaced or destroyed) must not stay under a rule or service whose
  // reference a controller owns (ignored by Terraform, so never rewritten to the new group).
  const gone = [...p.replace, ...p.destroy].filter((k) => REFERRERS[typeOf(k)]);
  for (const tg of gone) {
    for (const [k, r] of b) {
      const owned = REFERRERS[typeOf(tg)][typeOf(k)];
      if (!owned || !refersTo(r, tg) || !a.has(k) || p.replace.includes(k)) continue;
      const ignores: string[] = a.get(k)!.lifecycle?.ignore_changes ?? [];
      if (ignores.includes(owned))
        problems.push(
          `${k} keeps ${tg} (its ${owned} is ignored and it is not replaced): ResourceInUse on delete`,
        );
    }
  }
  // A name created while the resource holding it is still to be destroyed.
  for (const k of p.create) {
    const name = a.get(k)!.name;
    if (!UNIQUE_NAMES.includes(typeOf(k)) || name === undefined) continue;
    for (const d of p.destroy)
      if (typeOf(d) === typeOf(k) && b.get(d)!.name === name)
        problems.push(`${k} takes the name ${name} that ${d} still holds until it is destroyed`);
  }
  // A surviving rule moved to another priority may land on one that another rule still holds.
  for (const k of p.update) {
    if (typeOf(k) !== "aws_lb_listener_rule") continue;
    if (!same(b.get(k)!.priority, a.get(k)!.priority))
      problems.push(
        `${k} moves from priority ${b.get(k)!.priority} to ${a.get(k)!.priority}: PriorityInUse risk`,
      );
  }
  return problems;
}
