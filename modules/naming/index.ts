import { createHash } from "node:crypto";
import { ValidationError } from "../errors";

/**
 * Every AWS resource name of the platform is built here: `{resource-type}-{subject}-{suffix}`,
 * where the subject is a service name (or the blueprint name for shared resources) and the
 * suffix is the environment suffix. Names AWS keeps unique per account and region
 * (`accountScoped`) carry the blueprint before a service-level subject,
 * `{resource-type}-{blueprint}-{subject}-{suffix}` (docs/decisions.md, "Names are unique per
 * environment across blueprints"). Each kind knows its AWS length limit and character rules;
 * a name over its limit is shortened deterministically (subject truncated, a hash of the full
 * name added) with the environment suffix kept intact. Distinct subjects give distinct names:
 * unshortened names differ in the subject, shortened ones in the hash of the full name.
 */
export interface NameRule {
  /** The `{resource-type}` part. */
  readonly type: string;
  /** AWS maximum length. */
  readonly max: number;
  /** Characters AWS accepts (checked on the final name). */
  readonly pattern: RegExp;
  /** Text before the name that counts towards the limit (log group paths, KMS aliases). */
  readonly prefix?: string;
  /** Separator between the parts. */
  readonly sep?: string;
  /**
   * The name must be unique in the account and region (IAM, ECR, log groups, alarms...), not
   * only inside a VPC, cluster or namespace: a subject is qualified with the blueprint, so two
   * blueprints deployed with the same suffix never share a name.
   */
  readonly accountScoped?: boolean;
}

const HYPHENATED = /^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]$/;
const ECS_NAME = /^[a-zA-Z][a-zA-Z0-9_-]*$/;
const IAM_NAME = /^[\w+=,.@-]+$/;

/** Name limits from the AWS API references of each service. */
export const NAME_RULES = {
  vpc: { type: "vpc", max: 255, pattern: /^.+$/ },
  subnet: { type: "subnet", max: 255, pattern: /^.+$/ },
  routeTable: { type: "rt", max: 255, pattern: /^.+$/ },
  natGateway: { type: "nat", max: 255, pattern: /^.+$/ },
  eip: { type: "eip", max: 255, pattern: /^.+$/ },
  internetGateway: { type: "igw", max: 255, pattern: /^.+$/ },
  vpcEndpoint: { type: "vpce", max: 255, pattern: /^.+$/ },
  // EC2 rejects security group names that start with "sg-".
  securityGroup: { type: "secgroup", max: 255, pattern: /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]+$/ },
  flowLog: { type: "flowlog", max: 255, pattern: /^.+$/ },
  flowLogGroup: { type: "", max: 512, pattern: /^[.\-_/#A-Za-z0-9]+$/, prefix: "/vpc/flow-logs/", sep: "-" },
  ecrRepository: {
    type: "ecr-repo",
    max: 256,
    accountScoped: true,
    pattern: /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
  },
  ecsCluster: { type: "ecs-cluster", max: 255, pattern: ECS_NAME },
  ecsService: { type: "ecs-svc", max: 255, pattern: ECS_NAME },
  taskFamily: { type: "task", max: 255, accountScoped: true, pattern: ECS_NAME },
  // ELBv2: 32 characters, alphanumerics and hyphens, no leading/trailing hyphen.
  loadBalancer: { type: "alb", max: 32, pattern: HYPHENATED },
  targetGroup: { type: "tg", max: 32, accountScoped: true, pattern: HYPHENATED },
  iamRole: { type: "role", max: 64, accountScoped: true, pattern: IAM_NAME },
  iamPolicy: { type: "policy", max: 128, accountScoped: true, pattern: IAM_NAME },
  logGroup: {
    type: "",
    max: 512,
    accountScoped: true,
    pattern: /^[.\-_/#A-Za-z0-9]+$/,
    prefix: "/ecs/",
    sep: "-",
  },
  // The sidecars' (tracing, Service Connect proxy) and the ADOT collector's EMF log groups.
  sidecarLogGroup: {
    type: "",
    max: 512,
    accountScoped: true,
    pattern: /^[.\-_/#A-Za-z0-9]+$/,
    prefix: "/ecs/sidecars/",
    sep: "-",
  },
  metricsLogGroup: {
    type: "",
    max: 512,
    accountScoped: true,
    pattern: /^[.\-_/#A-Za-z0-9]+$/,
    prefix: "/ecs/metrics/",
    sep: "-",
  },
  kmsAlias: { type: "kms", max: 256, accountScoped: true, pattern: /^[a-zA-Z0-9/_-]+$/, prefix: "alias/" },
  secret: { type: "secret", max: 512, accountScoped: true, pattern: /^[a-zA-Z0-9/_+=.@-]+$/ },
  sqsQueue: { type: "sqs", max: 80, accountScoped: true, pattern: /^[a-zA-Z0-9_-]+$/ },
  snsTopic: { type: "sns", max: 256, accountScoped: true, pattern: /^[a-zA-Z0-9_-]+$/ },
  serviceDiscovery: { type: "", max: 63, pattern: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/ },
  codedeployApp: { type: "cd-app", max: 100, accountScoped: true, pattern: /^[a-zA-Z0-9._+-]+$/ },
  codedeployGroup: { type: "cd-group", max: 100, pattern: /^[a-zA-Z0-9._+-]+$/ },
  schedule: { type: "schedule", max: 64, pattern: /^[0-9a-zA-Z-_.]+$/ },
  scheduleGroup: { type: "schedules", max: 64, accountScoped: true, pattern: /^[0-9a-zA-Z-_.]+$/ },
  // RDS identifiers: letters, digits, hyphens; start with a letter; no "--"; no trailing hyphen.
  dbCluster: { type: "aurora", max: 63, pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/ },
  // DB instance identifiers follow the cluster identifier rules (63 characters).
  dbInstance: {
    type: "aurora-db",
    max: 63,
    accountScoped: true,
    pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/,
  },
  dbSubnetGroup: { type: "dbsubnets", max: 255, pattern: /^[a-z0-9 ._-]+$/ },
  dbParameterGroup: { type: "dbparams", max: 255, pattern: /^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$/ },
  dashboard: { type: "dashboard", max: 255, accountScoped: true, pattern: /^[a-zA-Z0-9_-]+$/ },
  alarm: { type: "alarm", max: 255, accountScoped: true, pattern: /^.+$/ },
  metricNamespace: { type: "", max: 255, pattern: /^[^:]+$/, prefix: "Platform/" },
  // X-Ray group and sampling rule names: 32 characters.
  xrayGroup: { type: "xray", max: 32, accountScoped: true, pattern: /^[a-zA-Z0-9_-]+$/ },
  xraySamplingRule: { type: "xsr", max: 32, accountScoped: true, pattern: /^[a-zA-Z0-9_-]+$/ },
  logQuery: { type: "query", max: 255, accountScoped: true, pattern: /^.+$/ },
  // Service name traces carry (`<subject>@<suffix>`): the X-Ray sampling rule's ServiceName
  // matches it, 64 characters at most (X-Ray API, SamplingRule.ServiceName); `*` only in the
  // environment's match pattern.
  tracingName: { type: "", max: 64, pattern: /^[a-zA-Z0-9.*@-]+$/, sep: "@" },
  // Metric filter names: 1-512 characters, no ":" or "*" (unique per log group).
  logMetricFilter: { type: "mf", max: 512, pattern: /^[^:*]+$/ },
  // EventBridge rule names: 64 characters, letters, digits, ".", "-", "_".
  eventRule: { type: "rule", max: 64, accountScoped: true, pattern: /^[.\-_A-Za-z0-9]+$/ },
  s3BucketPrefix: { type: "s3", max: 37, pattern: /^[a-z0-9][a-z0-9-]*$/ },
  privateCa: { type: "pca", max: 64, pattern: /^.+$/ },
  capacityProvider: { type: "cp", max: 255, accountScoped: true, pattern: /^.+$/ },
  // Application Auto Scaling policy names: 1-256 printable characters, unique per scalable target.
  scalingPolicy: { type: "scaling", max: 256, pattern: /^[a-zA-Z0-9._-]+$/ },
} as const satisfies Record<string, NameRule>;

export type ResourceKind = keyof typeof NAME_RULES;

/** Length of the hash added when a name is shortened. */
const HASH_LEN = 6;

/**
 * Lowercase letters, digits and single hyphens, starting with a letter and not ending with a
 * hyphen: the suffix ends ALB and target group names (no trailing hyphen) and RDS identifiers
 * (no "--"), so a suffix such as `dev-` would otherwise fail at apply.
 */
export const ENVIRONMENT_SUFFIX_PATTERN = /^[a-z](-?[a-z0-9])*$/;
/** Longest suffix that still leaves room in a 32-character name for a type and a hash. */
export const ENVIRONMENT_SUFFIX_MAX = 20;

export class Naming {
  constructor(
    /** Subject of shared resources (cluster, ALB, VPC): the blueprint name. */
    readonly blueprint: string,
    /** Environment suffix appended to every name. */
    readonly environmentSuffix: string,
  ) {
    if (
      !ENVIRONMENT_SUFFIX_PATTERN.test(environmentSuffix) ||
      environmentSuffix.length > ENVIRONMENT_SUFFIX_MAX
    ) {
      throw new ValidationError(
        `environmentSuffix: "${environmentSuffix}" must be 1-${ENVIRONMENT_SUFFIX_MAX} lowercase letters, digits or single hyphens, starting with a letter and not ending with a hyphen`,
      );
    }
  }

  /**
   * The name of a resource of `kind` for `subject` (a service name, a qualifier such as
   * `blue-frontend`, or omitted for the blueprint's shared resource). Never pass the blueprint
   * inside `subject`: account-scoped kinds add it themselves.
   */
  name(kind: ResourceKind, subject?: string): string {
    const rule: NameRule = NAME_RULES[kind];
    if (subject === undefined) subject = this.blueprint;
    else if (rule.accountScoped) subject = `${this.blueprint}-${subject}`;
    const sep = rule.sep ?? "-";
    const prefix = rule.prefix ?? "";
    const head = rule.type ? `${rule.type}${sep}` : "";
    const tail = `${sep}${this.environmentSuffix}`;
    let name = `${prefix}${head}${subject}${tail}`;
    if (name.length > rule.max) {
      const hash = createHash("sha256").update(name).digest("hex").slice(0, HASH_LEN);
      // Room for the subject's head; with the longest suffix a 32-character name keeps only the hash.
      const room = rule.max - prefix.length - head.length - tail.length - HASH_LEN - sep.length;
      const kept = room > 0 ? subject.slice(0, room).replace(/[^a-zA-Z0-9]+$/, "") : "";
      name = `${prefix}${head}${kept}${kept ? sep : ""}${hash}${tail}`;
    }
    const body = name.slice(prefix.length);
    if (!rule.pattern.test(body)) {
      throw new ValidationError(`naming: ${kind} name "${name}" does not match the AWS rule ${rule.pattern}`);
    }
    return name;
  }

  /**
   * The name of a resource that Terraform replaces with `create_before_destroy`: the subject
   * carries a 4-character hash of the attributes whose change forces the replacement, so the
   * replacement never takes the name of the resource it replaces (both exist for a moment).
   * Pass every replacing attribute known at synth time.
   */
  replaceableName(
    kind: ResourceKind,
    subject: string,
    replacing: Readonly<Record<string, string | number>>,
  ): string {
    const key = Object.keys(replacing)
      .sort()
      .map((k) => `${k}=${replacing[k]}`)
      .join(",");
    const hash = createHash("sha256").update(key).digest("hex").slice(0, 4);
    return this.name(kind, `${subject}-${hash}`);
  }

  /**
   * The SSM parameter that records the image tag (or `sha256:` digest) released to a service in
   * this environment: `/<blueprint>/<suffix>/release/<service>/image`. Written by the release CLI,
   * read by Terraform (see modules/fargate-service/release-record.ts). SSM allows 1011
   * characters including the ARN; service names are DNS labels of at most 28.
   */
  releaseParameter(service: string): string {
    const name = `/${this.blueprint}/${this.environmentSuffix}/release/${service}/image`;
    if (!/^(\/[a-zA-Z0-9_.-]+){5}$/.test(name)) {
      throw new ValidationError(
        `naming: SSM parameter name "${name}" has characters SSM rejects (a-z A-Z 0-9 _ . -)`,
      );
    }
    return name;
  }

  /** The S3 key of a stack's Terraform state. */
  stateKey(stack: string): string {
    return `${this.blueprint}/${this.environmentSuffix}/${stack}.tfstate`;
  }
}

/**
 * The alias of the KMS key that encrypts a state bucket: `alias/<bucket>`. Derived from the
 * bucket name alone, because the S3 backend of every stack must name it at synth time (a backend
 * block takes no references) and bucket names are globally unique. KMS alias names allow
 * 256 characters of `a-zA-Z0-9/_-`; a bucket name's dots become hyphens.
 */
export function stateKmsAliasName(bucket: string): string {
  return `alias/${bucket.replace(/\./g, "-")}`;
}
