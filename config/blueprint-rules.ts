/**
 * Cross-field rules of a blueprint that AWS or the platform would otherwise reject at apply
 * time, or accept into a broken platform: names that collide with what the platform creates,
 * ALB routing AWS rejects or that silently shadows another service, values outside AWS's
 * documented ranges (config/aws-values.ts cites each), platform variables a user value would
 * replace, and access lists that grant more than a named resource. Called by the schema's
 * cross-field validation; each finding names the field and what is allowed.
 */

import {
  auroraVersionProblem,
  AURORA_INSTANCE_CLASS,
  AURORA_PORT_RANGE,
  ALB_PATH_PATTERN,
  DNS_LABEL_MAX,
  DNS_NAME_MAX,
  DYNAMODB_TABLE_NAME,
  filterPatternProblem,
  healthCheckMatcherProblem,
  isCatchAllPath,
  isHalfAcuStep,
  pathPatternsOverlap,
  S3_BUCKET_NAME,
  SQS_QUEUE_NAME,
  TAG_LIMITS,
  tagKeyProblem,
  tagValueProblem,
  TASK_DEFINITION_MAX_BYTES,
  TASK_DEFINITION_PLATFORM_RESERVE_BYTES,
} from "./aws-values";

type Issue = (path: (string | number)[], message: string) => void;

/** The subset of a parsed blueprint these rules read (kept structural to avoid a cycle with schema.ts). */
interface BlueprintView {
  readonly name: string;
  readonly region: string;
  readonly tags: Record<string, string | undefined>;
  readonly network: { readonly availabilityZones?: readonly string[] };
  readonly loadBalancer: { readonly certificateArn?: string; readonly testListenerPort: number };
  readonly serviceDiscovery: { readonly namespace?: string };
  readonly tracing: { readonly mode: "xray-daemon" | "adot" };
  readonly database?: {
    readonly engineVersion: string;
    readonly mode: string;
    readonly instanceClass: string;
    readonly port: number;
    readonly minCapacity: number;
    readonly maxCapacity: number;
  };
  readonly observability: { readonly errorLogPattern: string };
  readonly services: Record<string, ServiceView>;
}
interface ServiceView {
  readonly kind: string;
  readonly port: number;
  readonly paths: readonly string[];
  readonly environment: Record<string, string>;
  readonly secrets: Record<string, unknown>;
  readonly calls: readonly string[];
  readonly metricPattern?: string;
  readonly healthCheck: {
    readonly intervalSeconds: number;
    readonly timeoutSeconds: number;
    readonly matcher: string;
  };
  readonly access: {
    readonly s3Buckets: readonly { readonly name: string }[];
    readonly sqsQueues: readonly { readonly name: string }[];
    readonly dynamodbTables: readonly { readonly name: string }[];
  };
}

/** Container names of the tracing sidecars (modules/fargate-service/task-definition.ts). */
export const SIDECAR_CONTAINER_NAMES = ["xray-daemon", "aws-otel-collector"] as const;
/**
 * Ports the tracing sidecar listens on in the task's shared network namespace: the X-Ray daemon
 * on 2000; the ADOT collector's ECS default configuration on 4317/4318 (OTLP), 2000 (X-Ray
 * receiver), 8125 (StatsD) and 13133 (health check).
 */
export const SIDECAR_PORTS: Record<"xray-daemon" | "adot", readonly number[]> = {
  "xray-daemon": [2000],
  adot: [2000, 4317, 4318, 8125, 13133],
};
/**
 * Service names the platform uses for its own resources: the database alarms' owner, the
 * database bootstrap task (checked in schema.ts), the sidecar containers.
 */
export const RESERVED_SERVICE_NAMES = ["database", ...SIDECAR_CONTAINER_NAMES] as const;
/**
 * Qualifiers of the blueprint's shared resources whose names are unique only inside the VPC
 * and carry `<blueprint>-<qualifier>` (the ALB's and the database's security groups, the
 * endpoints' group...). A service named `<blueprint>-alb` would share the ALB's group name.
 */
export const SHARED_QUALIFIERS = [
  "alb",
  "alb-logs",
  "db",
  "db-bootstrap",
  "vpce",
  "vpc",
  "flow-logs",
  "sc-tls",
] as const;
/**
 * What the platform appends to a service name for the resources it creates per service
 * (`<service>-dlq` queue, `<service>-exec` role, `<service>-blue-…` alarms...). A service named
 * `<other>-<qualifier>` would share those names.
 */
export const SERVICE_NAME_QUALIFIERS = [
  "dlq",
  "schedule",
  "exec",
  "task",
  "codedeploy",
  "scheduler",
  "ecs",
  "blue",
  "green",
  "deploy",
  "scale",
  "health",
  "failed",
] as const;

/** Tag keys the platform sets on every resource (stacks/base.ts platformTags, Name tags). */
export const PLATFORM_TAG_KEYS = ["Blueprint", "EnvironmentSuffix", "Stack", "ManagedBy", "Name"] as const;

/** Environment variables the platform sets in application containers; a user value would replace them. */
export const PLATFORM_VARIABLES = [
  "QUEUE_URL",
  "DB_HOST",
  "DB_PORT",
  "DB_NAME",
  "DB_USERNAME",
  "DB_IAM_AUTH",
  "AWS_XRAY_DAEMON_ADDRESS",
  "AWS_XRAY_TRACING_NAME",
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_SERVICE_NAME",
  "OTEL_PROPAGATORS",
] as const;
/** `fraud-worker` → `FRAUD_WORKER`: the prefix of the `<NAME>_URL` / `<NAME>_QUEUE_URL` a caller gets. */
const variablePrefix = (service: string) => service.toUpperCase().replace(/-/g, "_");

export function validateBlueprintRules(bp: BlueprintView, issue: Issue): void {
  validateTags(bp, issue);
  validatePlacement(bp, issue);
  validateServiceNames(bp, issue);
  validateRouting(bp, issue);
  validateDatabase(bp, issue);
  const errorPattern = filterPatternProblem(bp.observability.errorLogPattern);
  if (errorPattern)
    issue(
      ["observability", "errorLogPattern"],
      `${JSON.stringify(bp.observability.errorLogPattern)} ${errorPattern}`,
    );
  for (const [name, svc] of Object.entries(bp.services)) validateService(bp, name, svc, issue);
}

function validateTags(bp: BlueprintView, issue: Issue): void {
  const keys = Object.keys(bp.tags);
  for (const key of keys) {
    const keyProblem = tagKeyProblem(key);
    if (keyProblem) issue(["tags", key], `tag key ${JSON.stringify(key)}: ${keyProblem}`);
    if ((PLATFORM_TAG_KEYS as readonly string[]).includes(key))
      issue(
        ["tags", key],
        `is set by the platform on every resource; choose another key (reserved: ${PLATFORM_TAG_KEYS.join(", ")})`,
      );
    const value = bp.tags[key] ?? "";
    const valueProblem = tagValueProblem(value);
    if (valueProblem) issue(["tags", key], `${JSON.stringify(value.slice(0, 40))}: ${valueProblem}`);
  }
  const total = new Set([...keys, "Environment", ...PLATFORM_TAG_KEYS]).size;
  if (total > TAG_LIMITS.maxTags)
    issue(
      ["tags"],
      `${keys.length} tags plus the platform's ${PLATFORM_TAG_KEYS.length + 1} make ${total}; AWS allows ${TAG_LIMITS.maxTags} per resource`,
    );
}

function validatePlacement(bp: BlueprintView, issue: Issue): void {
  // An AZ name is its Region's name plus one letter (EC2, "Availability Zones").
  for (const [i, az] of (bp.network.availabilityZones ?? []).entries()) {
    if (az.slice(0, -1) !== bp.region)
      issue(
        ["network", "availabilityZones", i],
        `${az} is not in the blueprint's region ${bp.region} (use ${bp.region}a, ${bp.region}b, ...)`,
      );
  }
  const azs = bp.network.availabilityZones;
  if (azs && new Set(azs).size !== azs.length)
    issue(["network", "availabilityZones"], `${azs.join(", ")} must name different AZs`);
  // ELB takes only an ACM certificate of its own Region (CreateListener: CertificateNotFound).
  const certificateRegion = bp.loadBalancer.certificateArn?.split(":")[3];
  if (certificateRegion !== undefined && certificateRegion !== bp.region)
    issue(
      ["loadBalancer", "certificateArn"],
      `is in ${certificateRegion}; the ALB is in ${bp.region} and needs an ACM certificate from ${bp.region}`,
    );
  // 80 always serves production, 443 as soon as a certificate is set (ALB_CERTIFICATE_ARN).
  if ([80, 443].includes(bp.loadBalancer.testListenerPort))
    issue(
      ["loadBalancer", "testListenerPort"],
      `${bp.loadBalancer.testListenerPort} is a production listener port (80, 443); choose another, e.g. 8443`,
    );
  const namespace = bp.serviceDiscovery.namespace;
  if (namespace) {
    const long = namespace.split(".").find((label) => label.length > DNS_LABEL_MAX);
    if (long)
      issue(
        ["serviceDiscovery", "namespace"],
        `label ${long} is ${long.length} characters; a DNS label has at most ${DNS_LABEL_MAX}`,
      );
    // The environment suffix (at most 20 characters) and a dot are prepended.
    if (namespace.length > DNS_NAME_MAX - 21)
      issue(
        ["serviceDiscovery", "namespace"],
        `is ${namespace.length} characters; with the suffix prepended a DNS name allows ${DNS_NAME_MAX - 21}`,
      );
  }
}

function validateServiceNames(bp: BlueprintView, issue: Issue): void {
  const names = Object.keys(bp.services);
  for (const name of names) {
    const shared = SHARED_QUALIFIERS.find((q) => name === `${bp.name}-${q}`);
    if (shared)
      issue(
        ["services", name],
        `would share the name of the blueprint's own ${shared} resources (${bp.name}-${shared}); service names may not be ${SHARED_QUALIFIERS.map((q) => `${bp.name}-${q}`).join(", ")}`,
      );
    if ((RESERVED_SERVICE_NAMES as readonly string[]).includes(name))
      issue(
        ["services", name],
        `"${name}" is reserved by the platform (${RESERVED_SERVICE_NAMES.join(", ")}); choose another service name`,
      );
    for (const other of names) {
      if (other === name) continue;
      const qualifier = SERVICE_NAME_QUALIFIERS.find(
        (q) => name === `${other}-${q}` || name.startsWith(`${other}-${q}-`),
      );
      if (qualifier)
        issue(
          ["services", name],
          `would share resource names with service ${other}, whose own resources are named ${other}-${qualifier}…; choose a name that does not start with "<service>-" and one of ${SERVICE_NAME_QUALIFIERS.join(", ")}`,
        );
    }
  }
}

function validateRouting(bp: BlueprintView, issue: Issue): void {
  const web = Object.entries(bp.services).filter(([, s]) => s.kind === "web");
  for (const [name, svc] of web) {
    for (const [i, path] of svc.paths.entries()) {
      if (!ALB_PATH_PATTERN.test(path))
        issue(
          ["services", name, "paths", i],
          `${JSON.stringify(path)} is not an ALB path pattern (1-128 characters of A-Z a-z 0-9 _ - . $ / ~ " ' @ : + & and the wildcards * ?)`,
        );
    }
    if (svc.paths.length > 5)
      issue(
        ["services", name, "paths"],
        `${svc.paths.length} path patterns; an ALB listener rule takes 1 to 5 (condition values per rule)`,
      );
    const wildcards = svc.paths.join("").replace(/[^*?]/g, "").length;
    if (wildcards > 5)
      issue(
        ["services", name, "paths"],
        `hold ${wildcards} wildcards (* or ?); an ALB listener rule allows 5`,
      );
  }
  // Specific routes of different services must be disjoint: listener priorities come from a
  // hash of the service name, so overlapping patterns would be ordered by chance. Only the exact
  // `/*` is a catch-all (it is always evaluated after every specific route).
  for (const [a, sa] of web.entries()) {
    for (const [nameB, sb] of web.slice(a + 1)) {
      for (const p of sa[1].paths) {
        for (const q of sb.paths) {
          if (p === q || isCatchAllPath(p) || isCatchAllPath(q)) continue;
          if (pathPatternsOverlap(p, q))
            issue(
              ["services", nameB, "paths"],
              `${q} overlaps ${p} of service ${sa[0]}: a request could match either, and listener priorities do not order them; make the patterns disjoint (only the exact "/*" is a catch-all)`,
            );
        }
      }
    }
  }
}

function validateDatabase(bp: BlueprintView, issue: Issue): void {
  const db = bp.database;
  if (!db) return;
  const version = auroraVersionProblem(db.engineVersion);
  if (version) issue(["database", "engineVersion"], `${db.engineVersion} ${version}`);
  if (db.mode === "provisioned" && !AURORA_INSTANCE_CLASS.test(db.instanceClass))
    issue(
      ["database", "instanceClass"],
      `${db.instanceClass} is not a DB instance class Aurora PostgreSQL offers (db.<r5|r6g|r6gd|r6i|r6id|r7g|r7i|r8g|x2g>.<large|xlarge|Nxlarge> or db.<t3|t4g>.<medium|large>)`,
    );
  const [low, high] = AURORA_PORT_RANGE;
  if (db.port < low || db.port > high)
    issue(["database", "port"], `${db.port} is outside ${low}-${high}, the ports RDS accepts`);
  for (const field of ["minCapacity", "maxCapacity"] as const) {
    if (!isHalfAcuStep(db[field]))
      issue(
        ["database", field],
        `${db[field]} is not an Aurora Serverless v2 capacity (0 to 256 ACUs in steps of 0.5)`,
      );
  }
}

function validateService(bp: BlueprintView, name: string, svc: ServiceView, issue: Issue): void {
  const at = (...p: (string | number)[]) => ["services", name, ...p];
  if (svc.kind !== "worker" && svc.kind !== "scheduled" && SIDECAR_PORTS[bp.tracing.mode].includes(svc.port))
    issue(
      at("port"),
      `${svc.port} is used by the tracing sidecar (${bp.tracing.mode}: ${SIDECAR_PORTS[bp.tracing.mode].join(", ")}) in the same task; choose another port`,
    );
  if (svc.kind === "web") {
    // ELBv2 rejects a target group whose health check timeout is not below its interval.
    if (svc.healthCheck.timeoutSeconds >= svc.healthCheck.intervalSeconds)
      issue(
        at("healthCheck", "timeoutSeconds"),
        `${svc.healthCheck.timeoutSeconds} must be less than intervalSeconds (${svc.healthCheck.intervalSeconds})`,
      );
    const matcher = healthCheckMatcherProblem(svc.healthCheck.matcher);
    if (matcher) issue(at("healthCheck", "matcher"), `${svc.healthCheck.matcher} ${matcher}`);
  }
  if (svc.metricPattern !== undefined) {
    const problem = filterPatternProblem(svc.metricPattern);
    if (problem) issue(at("metricPattern"), `${JSON.stringify(svc.metricPattern)} ${problem}`);
  }
  const seen = new Set<string>();
  for (const [i, callee] of svc.calls.entries()) {
    if (seen.has(callee)) issue(at("calls", i), `${callee} is listed twice; name each callee once`);
    seen.add(callee);
  }
  validateEnvironment(bp, name, svc, issue);
  validateAccess(name, svc, issue);
}

function validateEnvironment(bp: BlueprintView, name: string, svc: ServiceView, issue: Issue): void {
  const prefixes = Object.keys(bp.services).map(variablePrefix);
  for (const variable of Object.keys(svc.environment)) {
    const platform =
      (PLATFORM_VARIABLES as readonly string[]).includes(variable) ||
      prefixes.some((p) => variable === `${p}_URL` || variable === `${p}_QUEUE_URL`);
    if (platform)
      issue(
        ["services", name, "environment", variable],
        `is set by the platform (queue, database, tracing and callee addresses: ${PLATFORM_VARIABLES.join(", ")}, <SERVICE>_URL, <SERVICE>_QUEUE_URL); a value here would replace it, choose another name`,
      );
  }
  // A task definition is at most 64 KiB; the platform needs some of it for its own settings.
  const bytes = Buffer.byteLength(
    JSON.stringify([
      ...Object.entries(svc.environment).map(([k, v]) => ({ name: k, value: v })),
      ...Object.keys(svc.secrets).map((k) => ({
        name: k,
        valueFrom: "arn:aws:secretsmanager:xx-xxxx-1:000000000000:secret:x",
      })),
    ]),
  );
  const budget = TASK_DEFINITION_MAX_BYTES - TASK_DEFINITION_PLATFORM_RESERVE_BYTES;
  if (bytes > budget)
    issue(
      ["services", name, "environment"],
      `variables take ${bytes} bytes of the task definition; at most ${budget} fit (a task definition is at most ${TASK_DEFINITION_MAX_BYTES} bytes). Move large values to S3 or Secrets Manager`,
    );
}

function validateAccess(name: string, svc: ServiceView, issue: Issue): void {
  const check = (list: readonly { name: string }[], field: string, rule: RegExp, what: string) => {
    for (const [i, entry] of list.entries()) {
      if (!rule.test(entry.name))
        issue(
          ["services", name, "access", field, i, "name"],
          `${JSON.stringify(entry.name)} is not ${what} (wildcards are not allowed: name each resource)`,
        );
    }
  };
  check(
    svc.access.s3Buckets,
    "s3Buckets",
    S3_BUCKET_NAME,
    "an S3 bucket name (3-63 of a-z 0-9 . -, starting and ending with a letter or digit)",
  );
  check(
    svc.access.sqsQueues,
    "sqsQueues",
    SQS_QUEUE_NAME,
    "an SQS queue name (1-80 of A-Z a-z 0-9 _ -, .fifo for FIFO queues)",
  );
  check(
    svc.access.dynamodbTables,
    "dynamodbTables",
    DYNAMODB_TABLE_NAME,
    "a DynamoDB table name (3-255 of A-Z a-z 0-9 _ - .)",
  );
}
