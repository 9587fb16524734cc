/**
 * The platform configuration schema: the single source of truth for the config's TypeScript
 * types and its runtime validation. A blueprint (built-in or a YAML/JSON file) is parsed by
 * `BlueprintSchema`; defaults live here and nowhere else.
 */
import { z } from "zod";
import { FARGATE_CPU_SIZES, fargateMemoryRule, isValidFargatePair } from "./fargate";
import { scheduleExpressionProblem } from "./schedule-expression";
import { Cidr, cidrContains, cidrsOverlap, formatCidr, parseCidr, planSubnets } from "./cidr";
import { RULE_IDS } from "../modules/guardrails/rules";
import { AccountSchema, DomainSchema, LifecycleSchema } from "./targets";
import { reasonProblem } from "../modules/guardrails/reason";
import { ALB_SSL_POLICIES, AWS_REGIONS } from "./aws-values";
import { validateBlueprintRules } from "./blueprint-rules";

const DNS_LABEL = /^[a-z][a-z0-9-]*[a-z0-9]$/;
const dnsLabel = (what: string, max: number) =>
  z
    .string()
    .min(2, `${what} must be at least 2 characters (2-${max})`)
    .max(max, `${what} must be at most ${max} characters (2-${max})`)
    .regex(
      DNS_LABEL,
      `${what} must be lowercase letters, digits and hyphens, start with a letter and not end with a hyphen`,
    );

export const SERVICE_KINDS = ["web", "backend", "worker", "scheduled"] as const;
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
export const CODEDEPLOY_ECS_CONFIGS = [
  "CodeDeployDefault.ECSAllAtOnce",
  "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
  "CodeDeployDefault.ECSLinear10PercentEvery3Minutes",
  "CodeDeployDefault.ECSCanary10Percent5Minutes",
  "CodeDeployDefault.ECSCanary10Percent15Minutes",
] as const;

const logRetention = z
  .number()
  .int()
  .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
    message: `is not a CloudWatch Logs retention period (${LOG_RETENTION_DAYS.join(", ")})`,
  });

const cidr = z
  .string()
  .refine((c) => parseCidr(c) !== undefined, { message: "is not an IPv4 CIDR block (a.b.c.d/n)" });

const port = z.number().int().min(1).max(65535);

/** Tags every taggable resource carries through the provider's `default_tags`. */
export const TagsSchema = z
  .object({
    Environment: z
      .string()
      .min(1)
      .optional()
      .describe("Environment tag; defaults to the environment suffix."),
    Team: z.string().min(1).describe("Team that owns the platform (Team tag)."),
    CostCenter: z.string().min(1).describe("Cost center the resources are billed to (CostCenter tag)."),
    Project: z
      .string()
      .min(1)
      .describe(
        "Project name (Project tag). Further keys become tags as written; AWS allows 50 tags per resource, keys up to 128 and values up to 256 characters.",
      ),
  })
  .catchall(z.string());

const ONE_SUBNET_PER_AZ = "needs exactly 3 subnets, one per availability zone (the platform spans 3 AZs)";

export const NetworkSchema = z.strictObject({
  /** VPC CIDR; split into public, private and database tiers across 3 AZs. */
  cidr: cidr
    .default("10.0.0.0/16")
    .describe(
      "IPv4 CIDR block of the VPC, /16 to /28 (AWS limits); split into public, private and database subnets across the 3 AZs, which needs /16 to /20 unless `subnets` lists them.",
    ),
  /** Availability zones; the platform is built across exactly three. */
  azCount: z
    .literal(3)
    .default(3)
    .describe("Number of availability zones; the platform always spans exactly 3."),
  /** One NAT gateway for the VPC (`single`, cheaper) or one per AZ (`per-az`, AZ-independent egress). */
  natGateways: z
    .enum(["single", "per-az"])
    .default("per-az")
    .describe(
      "NAT gateways for private egress: `per-az` (one per AZ, egress survives an AZ outage) or `single` (one for the VPC, cheaper).",
    ),
  flowLogs: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe(
          "Record VPC flow logs (all traffic) to CloudWatch Logs. Turning them off needs `disabledReason`.",
        ),
      retentionDays: logRetention
        .default(30)
        .describe(
          "Days CloudWatch keeps the flow logs; one of CloudWatch Logs' retention periods (1, 3, 5, 7, 14, 30, 60, 90, ... 3653).",
        ),
      /** Why flow logs are off, when they are (becomes the guardrail suppression reason). */
      disabledReason: z
        .string()
        .min(1)
        .optional()
        .describe(
          "Why flow logs are off; required when `enabled` is false and reported as the guardrail suppression reason.",
        ),
    })
    .prefault({})
    .describe("VPC flow logs to a CloudWatch Logs group."),
  /** Explicit subnet CIDRs per tier (3 each); derived from `cidr` when omitted. */
  subnets: z
    .strictObject({
      public: z
        .array(cidr)
        .length(3, ONE_SUBNET_PER_AZ)
        .describe("Public subnets (ALB, NAT gateways), one per AZ."),
      private: z
        .array(cidr)
        .length(3, ONE_SUBNET_PER_AZ)
        .describe("Private subnets (tasks, interface endpoints), one per AZ."),
      database: z.array(cidr).length(3, ONE_SUBNET_PER_AZ).describe("Database subnets (Aurora), one per AZ."),
    })
    .optional()
    .describe(
      "Explicit subnet CIDRs, 3 per tier (one per AZ, in AZ order); derived from `cidr` when omitted. Each must lie inside `cidr`, be /28 or larger and not overlap another.",
    ),
  /** Interface endpoints (ECR api/dkr, Logs, Secrets Manager, X-Ray) so tasks run without NAT. The S3 gateway endpoint is always created (free). */
  interfaceEndpoints: z
    .boolean()
    .default(false)
    .describe(
      "Create VPC interface endpoints (ECR api and dkr, CloudWatch Logs, Secrets Manager, X-Ray) so tasks reach AWS without the NAT gateways; each costs per hour and AZ. The S3 gateway endpoint is always created (free).",
    ),
  /** Pin the three AZs by name (e.g. us-east-1a); default: the first three available AZs of the region. */
  availabilityZones: z
    .array(
      z
        .string()
        .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$/, "is not an availability zone name (e.g. us-east-1a)"),
    )
    .length(3)
    .optional()
    .describe(
      "The three AZs by name (e.g. us-east-1a), in subnet order; default: the first three available AZs of the region.",
    ),
});

export const RegistrySchema = z.strictObject({
  scanOnPush: z
    .boolean()
    .default(true)
    .describe("ECR scans every image for vulnerabilities when it is pushed."),
  immutableTags: z
    .boolean()
    .default(true)
    .describe("ECR tag immutability: a pushed tag can never point to another image."),
  /** Tagged images kept per repository by the lifecycle policy. */
  imagesKept: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(10)
    .describe("Images kept per repository by the lifecycle policy (1-1000); older ones expire."),
  /** Days after which untagged images expire. */
  untaggedExpiryDays: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe("Days after push when untagged images expire."),
});

const CapacityProviderItem = z.strictObject({
  provider: z
    .enum(["FARGATE", "FARGATE_SPOT"])
    .describe(
      "Capacity provider: FARGATE (on-demand) or FARGATE_SPOT (up to 70% cheaper, tasks can be interrupted with 2 minutes' notice).",
    ),
  base: z
    .number()
    .int()
    .min(0)
    .max(100000)
    .default(0)
    .describe(
      "Tasks placed on this provider before weights apply (0-100000); only one provider of a strategy may have a base above 0.",
    ),
  weight: z
    .number()
    .int()
    .min(0)
    .max(1000)
    .default(1)
    .describe(
      "Relative share of the tasks beyond the base (0-1000); at least one provider needs a weight above 0.",
    ),
});
const capacityStrategy = z
  .array(CapacityProviderItem)
  .min(1)
  .superRefine((items, ctx) => {
    if (items.filter((i) => i.base > 0).length > 1)
      ctx.addIssue({ code: "custom", message: "only one capacity provider may have a base greater than 0" });
    if (items.every((i) => i.weight === 0))
      ctx.addIssue({
        code: "custom",
        message: "at least one capacity provider needs a weight greater than 0",
      });
    if (new Set(items.map((i) => i.provider)).size !== items.length)
      ctx.addIssue({ code: "custom", message: "each capacity provider may appear once" });
  });

export const ClusterSchema = z.strictObject({
  /** Container Insights level: `enhanced` adds task/container-level metrics. */
  containerInsights: z
    .enum(["enhanced", "enabled"])
    .default("enhanced")
    .describe(
      "CloudWatch Container Insights: `enabled` (cluster and service metrics) or `enhanced` (adds task and container metrics, costs more).",
    ),
  /** Default capacity provider strategy: a base on FARGATE, the rest weighted for cost. */
  capacityProviderStrategy: capacityStrategy
    .default([
      { provider: "FARGATE", base: 1, weight: 1 },
      { provider: "FARGATE_SPOT", base: 0, weight: 3 },
    ])
    .describe(
      "The cluster's default capacity provider strategy, used by services without `spotBase`: a base on FARGATE, the rest weighted towards FARGATE_SPOT for cost. Each provider appears once.",
    ),
});

export const LoadBalancerSchema = z.strictObject({
  /** ACM certificate ARN: when set, HTTPS on 443 and HTTP redirects to it. */
  certificateArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/, "is not an ACM certificate ARN")
    .optional()
    .describe(
      "ACM certificate ARN of the HTTPS listener (same region as the ALB); when set, the ALB serves HTTPS on 443 and HTTP redirects to it. Mutually exclusive with `domain`, which creates its own certificate.",
    ),
  /** Require HTTPS (fails validation without a certificate ARN). */
  https: z
    .boolean()
    .default(false)
    .describe("Require HTTPS; fails validation unless `certificateArn` or `domain` gives a certificate."),
  sslPolicy: z
    .enum(ALB_SSL_POLICIES)
    .default("ELBSecurityPolicy-TLS13-1-2-2021-06")
    .describe(
      "ELB security policy (TLS versions and ciphers) of the HTTPS listener and the HTTPS test listener.",
    ),
  /** CIDRs allowed to reach the listeners. */
  ingressCidrs: z
    .array(cidr)
    .min(1)
    .default(["0.0.0.0/0"])
    .describe("IPv4 CIDRs allowed to reach the production listeners (80, and 443 with HTTPS)."),
  /** Port of the CodeDeploy test listener used to validate green before traffic shifts. */
  testListenerPort: port
    .default(8443)
    .describe(
      "Port of the test listener through which blue/green deployments reach green before production traffic shifts (1-65535).",
    ),
  /**
   * Operator CIDRs (public addresses: the ALB is internet-facing) allowed to reach the test
   * listener, besides the NAT gateways' addresses the platform always admits (pre-traffic checks
   * running inside the VPC reach the ALB from there). Never the internet; never the VPC CIDR.
   */
  testListenerCidrs: z
    .array(cidr)
    .default([])
    .describe(
      "Operators' public CIDRs allowed to reach the test listener, besides the NAT gateways' addresses the platform always admits (pre-traffic checks from inside the VPC arrive from there). Never the internet (wider than /8) and never a private range.",
    ),
  idleTimeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(4000)
    .default(60)
    .describe("Seconds the ALB keeps an idle connection open (AWS allows 1-4000)."),
  accessLogs: z
    .strictObject({
      enabled: z
        .boolean()
        .default(true)
        .describe(
          "Write ALB access logs to an S3 bucket the platform creates (encrypted, public access blocked).",
        ),
      retentionDays: z
        .number()
        .int()
        .min(1)
        .default(30)
        .describe("Days after which the bucket's lifecycle rule deletes access log objects."),
    })
    .prefault({})
    .describe("ALB access logs to an S3 bucket the platform creates."),
  /** Target group deregistration delay; the AWS default (300 s) makes every deployment slow. */
  deregistrationDelaySeconds: z
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(30)
    .describe(
      "Seconds a target group lets in-flight requests finish before a target is removed (AWS allows 0-3600; its default of 300 makes every deployment slow).",
    ),
});

export const ServiceDiscoverySchema = z.strictObject({
  /** Base of the private DNS namespace, default `<blueprint>.internal`; the environment suffix is prepended (`dev.trading.internal`). */
  namespace: z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/, "is not a DNS domain name")
    .optional()
    .describe(
      "Base of the private Cloud Map DNS namespace, default `<blueprint>.internal`; the environment suffix is prepended (dev.trading.internal).",
    ),
  dnsTtlSeconds: z
    .number()
    .int()
    .min(0)
    .max(3600)
    .default(10)
    .describe(
      "TTL, in seconds, of the services' Cloud Map DNS records (0-3600); short so callers see task changes quickly.",
    ),
});

export const MeshSchema = z.strictObject({
  /** Service-to-service traffic through ECS Service Connect (the App Mesh replacement). */
  enabled: z
    .boolean()
    .default(false)
    .describe(
      "Route service-to-service traffic through ECS Service Connect (the App Mesh replacement); rules out CodeDeploy for web services.",
    ),
  /** TLS between Service Connect proxies, certificates from an AWS Private CA (short-lived mode); see docs/decisions.md. */
  tls: z
    .boolean()
    .default(false)
    .describe(
      "TLS between Service Connect proxies with short-lived certificates from an AWS Private CA (billed monthly); needs `enabled`.",
    ),
});

export const TracingSchema = z.strictObject({
  /** Tracing sidecar: the X-Ray daemon (end of support 2027-02-25) or the ADOT collector. */
  mode: z
    .enum(["xray-daemon", "adot"])
    .default("xray-daemon")
    .describe(
      "Tracing sidecar in every task: `xray-daemon` (the X-Ray daemon, end of support 2027-02-25) or `adot` (the AWS Distro for OpenTelemetry collector).",
    ),
  /** Fraction of requests sampled by the default X-Ray sampling rule. */
  samplingRate: z
    .number()
    .min(0)
    .max(1)
    .default(0.05)
    .describe(
      "Fraction (0-1) of requests beyond the reservoir that the default X-Ray sampling rule samples.",
    ),
  /** Requests per second always sampled. */
  reservoir: z
    .number()
    .int()
    .min(0)
    .default(1)
    .describe(
      "Requests per second the default X-Ray sampling rule always samples before `samplingRate` applies.",
    ),
});

/** A customer-managed KMS key ARN (an alias cannot be named in an IAM policy's Resource). */
const kmsKeyArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-zA-Z0-9-]+$/,
    "is not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key-id>)",
  );

const SecretDefinition = z.discriminatedUnion("source", [
  z.strictObject({
    source: z.literal("create").describe("`create`: the platform creates the secret in Secrets Manager."),
    description: z
      .string()
      .default("Application secret")
      .describe("Description of the created Secrets Manager secret."),
    /** Generate a random value (`password` key inside a JSON object) on creation. */
    generate: z
      .boolean()
      .default(true)
      .describe(
        "Generate the first value on creation, a JSON object with `username` and a random `password` that Terraform never stores; otherwise the secret has no value until one is put outside Terraform.",
      ),
  }),
  z.strictObject({
    source: z.literal("lookup").describe("`lookup`: an existing Secrets Manager secret, found by name."),
    /** Name of an existing Secrets Manager secret. */
    name: z.string().min(1).describe("Name of the existing Secrets Manager secret."),
    /**
     * ARN of the customer-managed KMS key that encrypts it, when it is not the AWS-managed key.
     * Readers get `kms:Decrypt` on it; the plan fails when the secret's key is not this one.
     */
    kmsKeyArn: kmsKeyArn
      .optional()
      .describe(
        "ARN of the customer-managed KMS key that encrypts the secret, when it is not the AWS-managed key; readers get kms:Decrypt on it, and the plan fails when the secret's key is another one.",
      ),
  }),
]);

export const DatabaseSchema = z.strictObject({
  engineVersion: z
    .string()
    .default("16.6")
    .describe(
      "Aurora PostgreSQL engine version (major.minor); a minCapacity of 0 needs 13.15, 14.12, 15.7, 16.3 or later.",
    ),
  databaseName: z
    .string()
    .regex(/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/, "must start with a letter and hold letters, digits, underscores")
    .default("app")
    .describe(
      "Name of the database created in the cluster: a letter, then letters, digits or underscores, at most 63 characters.",
    ),
  /** Aurora Serverless v2 (capacity in ACUs) or provisioned instances. */
  mode: z
    .enum(["serverless-v2", "provisioned"])
    .default("serverless-v2")
    .describe(
      "`serverless-v2` (Aurora Serverless v2, capacity in ACUs between minCapacity and maxCapacity) or `provisioned` (instances of `instanceClass`).",
    ),
  minCapacity: z
    .number()
    .min(0)
    .max(256)
    .default(0.5)
    .describe(
      "Serverless v2 minimum capacity in ACUs (0-256 in steps of 0.5; 0 pauses the cluster when idle); at most maxCapacity.",
    ),
  maxCapacity: z
    .number()
    .min(1)
    .max(256)
    .default(4)
    .describe("Serverless v2 maximum capacity in ACUs (1-256 in steps of 0.5)."),
  instanceClass: z
    .string()
    .default("db.r6g.large")
    .describe(
      "DB instance class of provisioned instances (e.g. db.r6g.large); ignored in serverless-v2 mode.",
    ),
  instances: z
    .number()
    .int()
    .min(1)
    .max(15)
    .default(1)
    .describe("Number of cluster instances (1-15: one writer, the rest readers across the AZs)."),
  /** Days between rotations of the RDS-managed master password. */
  rotationDays: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(30)
    .describe(
      "Days between automatic rotations of the RDS-managed master password in Secrets Manager (1-1000).",
    ),
  backupRetentionDays: z
    .number()
    .int()
    .min(1)
    .max(35)
    .default(1)
    .describe("Days Aurora keeps automated backups (AWS allows 1-35)."),
  port: port.default(5432).describe("Port the database listens on (1-65535)."),
  /**
   * PostgreSQL client image of the bootstrap task that creates the services' database users:
   * a pinned version tag or digest, never `latest` (modules/database/iam-users.ts).
   */
  bootstrapImage: z
    .string()
    .regex(/^[^\s:@]+(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/, "needs a version tag or an @sha256 digest")
    .refine((image) => !/:latest$/.test(image), "must not use the moving tag latest")
    .default("public.ecr.aws/docker/library/postgres:16.6-alpine")
    .describe(
      "PostgreSQL client image of the bootstrap task that creates the services' database users; a pinned version tag or @sha256 digest, never `latest`.",
    ),
});

const HealthCheck = z.strictObject({
  path: z
    .string()
    .startsWith("/")
    .default("/health")
    .describe("Path the ALB health check requests (web services); starts with /."),
  /** Protocol of the ALB health check (HTTPS when the app serves TLS on its port). */
  protocol: z
    .enum(["HTTP", "HTTPS"])
    .default("HTTP")
    .describe("Protocol of the ALB health check: HTTPS when the app serves TLS on its port."),
  intervalSeconds: z
    .number()
    .int()
    .min(5)
    .max(300)
    .default(30)
    .describe("Seconds between ALB health checks (AWS allows 5-300)."),
  timeoutSeconds: z
    .number()
    .int()
    .min(2)
    .max(120)
    .default(5)
    .describe(
      "Seconds without a response after which a health check fails (AWS allows 2-120); less than intervalSeconds.",
    ),
  healthyThreshold: z
    .number()
    .int()
    .min(2)
    .max(10)
    .default(3)
    .describe("Consecutive successful checks before a target is healthy (2-10)."),
  unhealthyThreshold: z
    .number()
    .int()
    .min(2)
    .max(10)
    .default(3)
    .describe("Consecutive failed checks before a target is unhealthy (2-10)."),
  matcher: z
    .string()
    .default("200-399")
    .describe("HTTP codes the ALB counts as healthy: a code, a range or a list (200, 200-399, 200,204)."),
  /** Container health check command (CMD-SHELL form); none by default. */
  command: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Container health check command in CMD-SHELL form, e.g. `curl -f http://localhost:8080/health || exit 1`; none by default.",
    ),
  gracePeriodSeconds: z
    .number()
    .int()
    .min(0)
    .max(2147483647)
    .default(60)
    .describe(
      "Seconds after a task starts during which ECS ignores failed health checks (also the container check's start period, at most 300).",
    ),
});

const CustomMetric = z.strictObject({
  namespace: z.string().min(1).describe("CloudWatch namespace of the metric."),
  metricName: z.string().min(1).describe("CloudWatch metric name."),
  statistic: z
    .enum(["Average", "Sum", "Maximum", "Minimum", "SampleCount"])
    .default("Average")
    .describe("Statistic target tracking follows."),
  dimensions: z
    .record(z.string(), z.string().describe("Value of the dimension."))
    .default({})
    .describe("Dimensions of the metric, name to value."),
  targetValue: z
    .number()
    .positive()
    .describe("Value target tracking keeps the metric at, in the metric's unit (above 0)."),
  divideByTasks: z
    .boolean()
    .default(true)
    .describe(
      "Whether target tracking divides the metric by the running tasks, turning a total such as pending orders into a per-task load; false for a value already per task, such as a latency (default true).",
    ),
});

const Scaling = z.strictObject({
  cpuTargetPercent: z
    .number()
    .min(1)
    .max(100)
    .default(70)
    .describe("Average CPU utilization, in percent, that target tracking keeps the service at (1-100)."),
  /** Memory target tracking; off unless a blueprint asks. */
  memoryTargetPercent: z
    .number()
    .min(1)
    .max(100)
    .optional()
    .describe("Average memory utilization, in percent, for memory target tracking (1-100); off when unset."),
  /** ALB requests per target (web services only). */
  requestsPerTarget: z
    .number()
    .int()
    .positive()
    .optional()
    .describe("ALB requests per task that target tracking keeps (web services only); off when unset."),
  /** Visible messages per running task (worker services). */
  backlogPerTask: z
    .number()
    .int()
    .positive()
    .default(10)
    .describe("Visible queue messages per running task that target tracking keeps (worker services)."),
  customMetric: CustomMetric.optional().describe(
    "Target tracking on a CloudWatch metric of your own; off when unset.",
  ),
  scaleInCooldownSeconds: z
    .number()
    .int()
    .min(0)
    .default(300)
    .describe("Seconds after a scale-in before target tracking scales in again."),
  scaleOutCooldownSeconds: z
    .number()
    .int()
    .min(0)
    .default(60)
    .describe("Seconds after a scale-out before another scale-out (target tracking and fast scale-out)."),
  /** Step scaling on a 1-minute CPU alarm so scale-out starts within 2 minutes of load. */
  fastScaleOut: z
    .boolean()
    .default(true)
    .describe(
      "Step scaling on a 1-minute CPU alarm (15 points above cpuTargetPercent) so scale-out starts within 2 minutes of load.",
    ),
});

const Access = z.strictObject({
  s3Buckets: z
    .array(
      z.strictObject({
        name: z.string().min(3).describe("S3 bucket name (an existing bucket; 3 characters or more)."),
        write: z
          .boolean()
          .default(false)
          .describe("Also allow putting and deleting objects; read-only (list and get) otherwise."),
        /** The bucket's customer-managed key (SSE-KMS), when it has one: the task role may use it through S3. */
        kmsKeyArn: kmsKeyArn
          .optional()
          .describe(
            "ARN of the bucket's customer-managed KMS key (SSE-KMS), when it has one: the task role may use it through S3.",
          ),
      }),
    )
    .default([])
    .describe("S3 buckets the task role may read (and write)."),
  sqsQueues: z
    .array(
      z.strictObject({
        name: z
          .string()
          .min(1)
          .describe("SQS queue name (an existing queue in the blueprint's region and account)."),
        send: z.boolean().default(true).describe("Allow sending messages to the queue."),
        consume: z.boolean().default(false).describe("Allow receiving and deleting messages."),
      }),
    )
    .default([])
    .describe("SQS queues the task role may send to or consume from."),
  dynamodbTables: z
    .array(
      z.strictObject({
        name: z.string().min(3).describe("DynamoDB table name (an existing table; 3 characters or more)."),
        write: z.boolean().default(false).describe("Also allow writing items; read-only otherwise."),
        /** The table's customer-managed key, when it has one: the task role may use it through DynamoDB. */
        kmsKeyArn: kmsKeyArn
          .optional()
          .describe(
            "ARN of the table's customer-managed KMS key, when it has one: the task role may use it through DynamoDB.",
          ),
      }),
    )
    .default([])
    .describe("DynamoDB tables the task role may read (and write)."),
});

const SecretRef = z.strictObject({
  secret: z.string().min(1).describe("Name of a secret defined in the blueprint's `secrets`."),
  /** JSON key inside the secret; the whole value when omitted. */
  key: z
    .string()
    .min(1)
    .optional()
    .describe("JSON key inside the secret whose value is injected; the whole value when omitted."),
});

/**
 * How a service's new revision reaches traffic:
 * - `codedeploy`: blue/green through CodeDeploy (web services; the default for `web`).
 * - `ecs-blue-green`: ECS-native blue/green (deployment controller ECS, strategy BLUE_GREEN, or
 *   CANARY/LINEAR with `trafficShift`), behind the ALB and/or Service Connect.
 * - `rolling`: ECS rolling update with the circuit breaker and deployment alarms (the default for
 *   every other kind).
 */
export const DEPLOYMENT_STRATEGIES = ["codedeploy", "ecs-blue-green", "rolling"] as const;
export type DeploymentStrategy = (typeof DEPLOYMENT_STRATEGIES)[number];

/** Production traffic shift of an ECS-native blue/green deployment (AWS provider 6.25 ranges). */
const TrafficShift = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("all-at-once").describe("`all-at-once`: green takes all production traffic in one step."),
  }),
  z.strictObject({
    type: z
      .literal("canary")
      .describe("`canary`: green takes `percent` of production traffic, then the rest after `bakeMinutes`."),
    /** Share of production traffic green takes first (0.1-100). */
    percent: z
      .number()
      .min(0.1)
      .max(100)
      .describe("Canary: percent of production traffic green takes first (0.1-100)."),
    /** Minutes at that share before the rest shifts. */
    bakeMinutes: z
      .number()
      .int()
      .min(0)
      .max(1440)
      .describe("Canary: minutes at that share before the rest shifts (0-1440)."),
  }),
  z.strictObject({
    type: z
      .literal("linear")
      .describe("`linear`: production traffic shifts in steps of `stepPercent`, `stepBakeMinutes` apart."),
    /** Share of production traffic shifted per step (3-100). */
    stepPercent: z
      .number()
      .min(3)
      .max(100)
      .describe("Linear: percent of production traffic shifted per step (3-100)."),
    /** Minutes between steps. */
    stepBakeMinutes: z.number().int().min(0).max(1440).describe("Linear: minutes between steps (0-1440)."),
  }),
]);

const Deployment = z.strictObject({
  /** See {@link DEPLOYMENT_STRATEGIES}; `codedeploy` for web services, `rolling` otherwise. */
  strategy: z
    .enum(DEPLOYMENT_STRATEGIES)
    .optional()
    .describe(
      "How a new revision reaches traffic: `codedeploy` (CodeDeploy blue/green, web services), `ecs-blue-green` (ECS-native blue/green behind the ALB or Service Connect) or `rolling` (rolling update with circuit breaker). Default: codedeploy for web services, rolling otherwise.",
    ),
  /** ecs-blue-green: minutes blue keeps running after the full shift, with rollback armed. */
  bakeTimeMinutes: z
    .number()
    .int()
    .min(0)
    .max(1440)
    .default(5)
    .describe(
      "ecs-blue-green: minutes blue keeps running after the full shift, with rollback armed (0-1440).",
    ),
  /** ecs-blue-green: how production traffic moves to green. */
  trafficShift: TrafficShift.default({ type: "all-at-once" }).describe(
    "ecs-blue-green: how production traffic moves to green, all at once, canary or linear.",
  ),
  codedeployConfig: z
    .enum(CODEDEPLOY_ECS_CONFIGS)
    .default("CodeDeployDefault.ECSAllAtOnce")
    .describe(
      "codedeploy: the CodeDeploy deployment configuration (all at once, linear or canary traffic shift).",
    ),
  /** Minutes blue tasks keep running after traffic has shifted (rollback window). */
  terminationWaitMinutes: z
    .number()
    .int()
    .min(0)
    .max(2880)
    .default(5)
    .describe(
      "codedeploy: minutes blue tasks keep running after traffic has shifted, the rollback window (0-2880).",
    ),
  minimumHealthyPercent: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(100)
    .describe(
      "rolling: lower limit, in percent of the desired count, of running healthy tasks during a deployment (0-100).",
    ),
  maximumPercent: z
    .number()
    .int()
    .min(100)
    .max(200)
    .default(200)
    .describe(
      "rolling: upper limit, in percent of the desired count, of running tasks during a deployment (100-200).",
    ),
});

/**
 * ECS "Tasks per service" quota: 5,000 by default (quota code L-4637F321), and Application Auto
 * Scaling's MinCapacity/MaxCapacity are integers
 * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html).
 */
export const MAX_TASKS_PER_SERVICE = 5000;
const taskCount = (min: number) =>
  z
    .number()
    .int(`must be a whole number of tasks (${min}-${MAX_TASKS_PER_SERVICE})`)
    .min(min, `must be at least ${min} (${min}-${MAX_TASKS_PER_SERVICE})`)
    .max(
      MAX_TASKS_PER_SERVICE,
      `must be at most ${MAX_TASKS_PER_SERVICE}, the ECS tasks-per-service quota (${min}-${MAX_TASKS_PER_SERVICE})`,
    );
const SERVICE_NAME = dnsLabel("a service name", 28);

export const ServiceSchema = z.strictObject({
  kind: z
    .enum(SERVICE_KINDS)
    .describe(
      "What the service is: `web` (behind the ALB), `backend` (called by other services through Cloud Map), `worker` (consumes its own SQS queue) or `scheduled` (a task run on a schedule).",
    ),
  /** Image (and ECR repository) name; defaults to the service name. */
  image: dnsLabel("an image name", 64)
    .optional()
    .describe("Image and ECR repository name; defaults to the service name."),
  /** Removed: the running image is recorded per environment by the release CLI (README, Lifecycle). */
  imageTag: z
    .never({
      error:
        "is no longer a blueprint field: the image a service runs is recorded per environment by `npm run release -- --service <name> --image-tag <tag>` (README, Lifecycle); remove it",
    })
    .optional()
    .describe(
      "Removed: the image a service runs is recorded per environment by `npm run release`; remove the field.",
    ),
  /** Container port (not used by scheduled jobs). */
  port: port.default(8080).describe("Port the container listens on (1-65535); scheduled jobs do not use it."),
  cpu: z
    .number()
    .int()
    .describe(
      "Task CPU units (1024 = 1 vCPU): one of Fargate's sizes 256, 512, 1024, 2048, 4096, 8192, 16384.",
    ),
  memory: z
    .number()
    .int()
    .describe(
      "Task memory in MiB, valid for the CPU size: 512-2048 for 256, 1024-4096 for 512, 2048-8192 for 1024, 4096-16384 for 2048, 8192-30720 for 4096 (1024 MiB steps); 16384-61440 for 8192 (4096 steps), 32768-122880 for 16384 (8192 steps).",
    ),
  desiredCount: taskCount(0)
    .default(2)
    .describe(
      "Tasks the service runs after its first release, within minCount..maxCount; scheduled jobs run one task per run and ignore it.",
    ),
  minCount: taskCount(0)
    .default(1)
    .describe("Lowest task count autoscaling may set; at most maxCount (a whole number, 0-5000)."),
  maxCount: taskCount(1)
    .default(4)
    .describe(
      "Highest task count autoscaling may set (a whole number, 1-5000: the ECS tasks-per-service quota).",
    ),
  /** Removed: every service starts at 0 tasks until its first release (README, Lifecycle). */
  startAtZero: z
    .never({
      error:
        "is no longer a blueprint field: every service starts with 0 tasks until its first release, which raises it to desiredCount/minCount (README, Lifecycle); remove it",
    })
    .optional()
    .describe("Removed: every service starts with 0 tasks until its first release; remove the field."),
  /** Run tasks on FARGATE_SPOT only, with this many tasks as the Spot base (fintech: 2). */
  spotBase: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe(
      "Run this service on FARGATE_SPOT only, with this many tasks as the Spot base (at most minCount); the cluster's default strategy when unset.",
    ),
  healthCheck: HealthCheck.prefault({}).describe(
    "ALB target group health check (web services) and container health check.",
  ),
  /** ALB path patterns (web services). */
  paths: z
    .array(z.string().startsWith("/"))
    .default([])
    .describe(
      "ALB path patterns routed to the service (web services need at least one, e.g. /api/*); each path belongs to one service.",
    ),
  environment: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "is not an environment variable name"),
      z.string().describe("Value of the environment variable, passed to the container as written."),
    )
    .default({})
    .describe("Plain environment variables of the container, name to value. Never secrets: use `secrets`."),
  /** Environment variable name → secret (from `secrets`) injected through the task definition. */
  secrets: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
      SecretRef.describe(
        "The secret (and optionally its JSON key) whose value becomes this environment variable.",
      ),
    )
    .default({})
    .describe(
      "Secrets injected as environment variables at task start, variable name to a secret of the blueprint's `secrets` (optionally one JSON key); read once per task start.",
    ),
  access: Access.prefault({}).describe("AWS resources outside the platform the task role may use."),
  /**
   * Services this one calls. A web/backend callee: the caller gets its DNS name and the
   * callee's security group admits the caller. A worker callee: the caller gets its queue URL
   * and may send messages to that queue.
   */
  calls: z
    .array(z.string())
    .default([])
    .describe(
      "Services this one calls. A web or backend callee: the caller gets its DNS name and the callee's security group admits it. A worker callee: the caller gets its queue URL and may send to that queue. Calls must not form a cycle.",
    ),
  /**
   * Reaches the blueprint's database as its own user with IAM authentication (endpoint and user
   * name as env, `rds-db:connect` for that user; no password).
   */
  usesDatabase: z
    .boolean()
    .default(false)
    .describe(
      "Connect to the blueprint's database as the service's own user with IAM authentication (endpoint and user name as environment variables, rds-db:connect; no password).",
    ),
  /**
   * The task role (the application, at run time) may also read the secrets of `secrets`
   * (GetSecretValue on exactly those ARNs, kms:Decrypt on their keys), not only the execution
   * role that injects them at start. @default false
   */
  taskRoleReadsSecrets: z
    .boolean()
    .default(false)
    .describe(
      "The task role (the application at run time) may also read the service's secrets (GetSecretValue on exactly those ARNs, kms:Decrypt on their keys), not only the execution role that injects them at start.",
    ),
  scaling: Scaling.prefault({}).describe(
    "Application Auto Scaling of the task count between minCount and maxCount.",
  ),
  deployment: Deployment.prefault({}).describe(
    "How new revisions are deployed: strategy, traffic shift and rollback windows.",
  ),
  /** Schedule expression (scheduled jobs), e.g. `rate(6 hours)` or `cron(0 0/6 * * ? *)`. */
  schedule: z
    .string()
    .optional()
    .describe(
      "Schedule expression of a scheduled job (required for them, refused for others): rate(6 hours), cron(0 0/6 * * ? *) or at(yyyy-mm-ddThh:mm:ss), UTC.",
    ),
  /** Retries of a failed scheduled run. */
  scheduleRetries: z
    .number()
    .int()
    .min(0)
    .max(185)
    .default(2)
    .describe("Retries of a failed scheduled run (EventBridge Scheduler allows 0-185)."),
  queue: z
    .strictObject({
      visibilityTimeoutSeconds: z
        .number()
        .int()
        .min(0)
        .max(43200)
        .default(300)
        .describe(
          "Seconds a received message stays hidden from other consumers (SQS allows 0-43200); longer than the work on one message.",
        ),
      maxReceiveCount: z
        .number()
        .int()
        .min(1)
        .max(1000)
        .default(5)
        .describe("Receives after which a message moves to the dead-letter queue (1-1000)."),
      retentionSeconds: z
        .number()
        .int()
        .min(60)
        .max(1209600)
        .default(345600)
        .describe(
          "Seconds SQS keeps an unprocessed message (60-1209600, i.e. 1 minute to 14 days; default 4 days).",
        ),
    })
    .prefault({})
    .describe("The worker's SQS queue and its dead-letter queue (worker services)."),
  readonlyRootFilesystem: z
    .boolean()
    .default(true)
    .describe(
      "Mount the container's root filesystem read-only; a writable one is reported by the guardrails.",
    ),
  /** Container user (`uid[:gid]`); the image's user when unset. */
  user: z
    .string()
    .regex(/^\d+(:\d+)?$/, "must be uid or uid:gid")
    .optional()
    .describe(
      "Container user as `uid` or `uid:gid`; the image's user when unset. Root (0) is reported by the guardrails.",
    ),
  /** Pattern (CloudWatch Logs filter syntax) counted as a custom application metric. */
  metricPattern: z
    .string()
    .optional()
    .describe(
      "CloudWatch Logs filter pattern whose matching log lines are counted as a custom metric of the service; none when unset.",
    ),
  /** X-Ray sampling of this service's requests; the blueprint's `tracing` values when unset. */
  tracing: z
    .strictObject({
      /** Fraction of requests sampled beyond the reservoir. */
      samplingRate: z
        .number()
        .min(0)
        .max(1)
        .optional()
        .describe("Fraction (0-1) of requests beyond the reservoir sampled for this service."),
      /** Requests per second always sampled. */
      reservoir: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe("Requests per second of this service always sampled."),
    })
    .prefault({})
    .describe("X-Ray sampling of this service's requests; the blueprint's `tracing` values when unset."),
});

export const ObservabilitySchema = z.strictObject({
  /** Create alarms (the fraud brief asks for none). */
  alarms: z
    .boolean()
    .default(true)
    .describe(
      "Create CloudWatch alarms (and the composite that notifies); off for a blueprint that wants none.",
    ),
  alarmEmail: z
    .email()
    .optional()
    .describe(
      "E-mail address subscribed to the alarm topic (SNS asks it to confirm); no subscription when unset.",
    ),
  cpuAlarmPercent: z
    .number()
    .min(1)
    .max(100)
    .default(85)
    .describe("Average service CPU utilization, in percent, that raises its CPU alarm (1-100)."),
  memoryAlarmPercent: z
    .number()
    .min(1)
    .max(100)
    .default(85)
    .describe("Average service memory utilization, in percent, that raises its memory alarm (1-100)."),
  http5xxRatePercent: z
    .number()
    .min(0)
    .max(100)
    .default(5)
    .describe(
      "Percent of a web service's requests answered 5xx by its targets that raises its 5xx alarm (0-100).",
    ),
  queueAgeAlarmSeconds: z
    .number()
    .int()
    .positive()
    .default(600)
    .describe("Age, in seconds, of a worker queue's oldest message that raises its backlog alarm."),
  dbCpuAlarmPercent: z
    .number()
    .min(1)
    .max(100)
    .default(80)
    .describe("Aurora CPU utilization, in percent, that raises the database CPU alarm (1-100)."),
  dbConnectionsAlarm: z
    .number()
    .int()
    .positive()
    .default(200)
    .describe("Database connections that raise the database connections alarm."),
  errorLogPattern: z
    .string()
    .default("?ERROR ?Error ?error ?Exception")
    .describe(
      "CloudWatch Logs filter pattern of an error line; matching lines are counted per service for the error log alarm and dashboard.",
    ),
  /** Error log lines per 5 minutes (from the error metric filter) that raise a service's log alarm. */
  errorLogLinesAlarm: z
    .number()
    .int()
    .positive()
    .default(10)
    .describe("Error log lines (matching errorLogPattern) per 5 minutes that raise a service's log alarm."),
  /** JSON field of the request duration in application logs (Logs Insights "slowest requests" query). */
  requestDurationField: z
    .string()
    .regex(/^[A-Za-z_][\w.]*$/, "must be a Logs Insights field name (letters, digits, _ and .)")
    .default("duration_ms")
    .describe(
      "JSON field of the request duration in application logs, used by the Logs Insights slowest requests query and the latency of internal services outside the mesh.",
    ),
  requestStatusField: z
    .string()
    .regex(/^[A-Za-z_][\w.]*$/, "must be a JSON field name (letters, digits, _ and .)")
    .default("status")
    .describe(
      "JSON field of the HTTP status code in application logs: internal services outside the mesh get their 2xx-5xx distribution from their logs (default status).",
    ),
});

/** Blueprint-wide suppressions of guardrail rules (modules/guardrails), each with its reason. */
export const GuardrailsSchema = z.strictObject({
  suppressions: z
    .array(
      z.strictObject({
        rule: z.enum(RULE_IDS as [string, ...string[]]).describe("Id of the guardrail rule to suppress."),
        /** Why the rule does not apply to this blueprint (printed in every guardrail report). */
        reason: z
          .string()
          .trim()
          .refine((r) => reasonProblem(r) === undefined, { error: (i) => reasonProblem(String(i.input)) })
          .describe(
            "Why the rule does not apply to this blueprint (printed in every guardrail report): at least 10 characters and 3 words a reviewer can check.",
          ),
        /** Only resources whose construct path starts with this, e.g. `platform/alb`. */
        scope: z
          .string()
          .min(1)
          .optional()
          .describe(
            "Only resources whose construct path starts with this, e.g. `platform/alb`; every resource when unset.",
          ),
      }),
    )
    .default([])
    .describe(
      "Guardrail rules that do not apply to this blueprint, each with its reason and optional scope.",
    ),
});

export const BlueprintSchema = z
  .strictObject({
    /** Blueprint name (goes into shared resource names and the state key). */
    // Descriptions (`.describe`) go into docs/blueprint-reference.md and blueprint.schema.json
    // (npm run docs:blueprint).
    name: dnsLabel("a blueprint name", 16).describe(
      "Blueprint name: part of shared resource names, the state bucket's default name and every state key.",
    ),
    /** The brief(s) this blueprint implements. */
    description: z.string().default("").describe("What the system is, in one sentence."),
    region: z
      .enum(AWS_REGIONS)
      .default("us-east-1")
      .describe("AWS region of every stack (and of the state bucket unless TF_STATE_REGION says otherwise)."),
    tags: TagsSchema.describe(
      "Tags every taggable resource carries (provider default_tags); Environment defaults to the environment suffix.",
    ),
    network: NetworkSchema.prefault({}).describe(
      "The VPC: CIDR, subnets per tier, NAT gateways, flow logs, endpoints.",
    ),
    registry: RegistrySchema.prefault({}).describe(
      "ECR repositories: scanning, tag immutability, lifecycle.",
    ),
    cluster: ClusterSchema.prefault({}).describe(
      "The ECS cluster: Container Insights and the default capacity providers.",
    ),
    loadBalancer: LoadBalancerSchema.prefault({}).describe(
      "The Application Load Balancer in front of web services: listeners, TLS, access logs, test listener.",
    ),
    serviceDiscovery: ServiceDiscoverySchema.prefault({}).describe(
      "Cloud Map namespace through which services call each other.",
    ),
    mesh: MeshSchema.prefault({}).describe(
      "ECS Service Connect between services, optionally with TLS from an AWS Private CA.",
    ),
    tracing: TracingSchema.prefault({}).describe(
      "How traces reach X-Ray: an X-Ray daemon or an ADOT collector sidecar.",
    ),
    logRetentionDays: logRetention
      .default(30)
      .describe("Days CloudWatch keeps the services' logs (a CloudWatch Logs retention period)."),
    secrets: z
      .record(
        dnsLabel("a secret name", 64),
        SecretDefinition.describe(
          "A secret by name (lowercase letters, digits and hyphens, at most 64 characters): created by the platform (`source: create`) or an existing one (`source: lookup`).",
        ),
      )
      .default({})
      .describe("Secrets Manager secrets, created or looked up by name, that services inject."),
    database: DatabaseSchema.optional().describe("An Aurora PostgreSQL cluster; omit for none."),
    observability: ObservabilitySchema.prefault({}).describe(
      "Dashboards, alarms and their e-mail subscription, X-Ray sampling.",
    ),
    guardrails: GuardrailsSchema.prefault({}).describe(
      "Suppressions of guardrail rules, each with its reason.",
    ),
    lifecycle: LifecycleSchema.default("ephemeral").describe(
      "What a destroy may take: ephemeral (everything), persistent (deletion protection, final snapshot, recovery windows, kept images) or retiring (persistent without deletion protection: the way to destroy a persistent environment, keeping its snapshot, backups and images).",
    ),
    account: AccountSchema.optional().describe(
      "The AWS account (id, role to assume) the environment is deployed to; Terraform refuses any other account.",
    ),
    domain: DomainSchema.optional().describe(
      "Public name with an ACM certificate validated in a Route 53 hosted zone; turns HTTPS on.",
    ),
    services: z
      .record(
        SERVICE_NAME,
        ServiceSchema.describe(
          "A service by name (lowercase letters, digits and hyphens, at most 28 characters): one ECS service, or a scheduled task, with its image, size, scaling and deployment.",
        ),
      )
      .refine((s) => Object.keys(s).length > 0, {
        message: "a blueprint needs at least one service",
      })
      .describe("The services by name: kind (web, backend, worker, scheduled), size, counts, routes, calls."),
  })
  .superRefine((bp, ctx) => validateCrossFields(bp, ctx));

/** The strategy a service deploys with: its own, or the default of its kind. */
export function deploymentStrategy(svc: {
  kind: ServiceKind;
  deployment: { strategy?: DeploymentStrategy };
}): DeploymentStrategy {
  return svc.deployment.strategy ?? (svc.kind === "web" ? "codedeploy" : "rolling");
}

/** Strategies with a green target group, a test listener rule and a gate before production. */
export const isBlueGreen = (strategy: DeploymentStrategy) => strategy !== "rolling";

export type BlueprintInput = z.input<typeof BlueprintSchema>;
export type Blueprint = z.output<typeof BlueprintSchema>;
export type ServiceConfig = z.output<typeof ServiceSchema>;
export type ServiceKind = (typeof SERVICE_KINDS)[number];
export type DatabaseConfig = z.output<typeof DatabaseSchema>;
export type SecretConfig = z.output<typeof SecretDefinition>;

/** The one-off task name `npm run task` gives the database bootstrap (modules/database/iam-users.ts). */
export const RESERVED_TASK_NAME = "db-bootstrap";

function validateCrossFields(bp: Blueprint, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });
  const names = Object.keys(bp.services);
  const seenPaths = new Map<string, string>();

  if (bp.loadBalancer.https && !bp.loadBalancer.certificateArn && !bp.domain)
    issue(
      ["loadBalancer", "certificateArn"],
      "is required when loadBalancer.https is true (an ACM certificate ARN), unless domain names the certificate to create",
    );
  if (bp.domain && !Object.values(bp.services).some((s) => s.kind === "web"))
    issue(
      ["domain"],
      "needs a web service: the name points at the load balancer, which only web services have",
    );
  if (bp.domain && bp.loadBalancer.certificateArn)
    issue(
      ["domain"],
      "and loadBalancer.certificateArn (or ALB_CERTIFICATE_ARN) both give the ALB a certificate: use one (domain creates and validates its own)",
    );
  if (bp.mesh.tls && !bp.mesh.enabled)
    issue(["mesh", "tls"], "needs mesh.enabled: true (TLS is a Service Connect feature)");
  if (!bp.network.flowLogs.enabled && !bp.network.flowLogs.disabledReason)
    issue(
      ["network", "flowLogs", "disabledReason"],
      "is required when flow logs are off (say why; it is reported by the guardrails)",
    );
  // `npm run task -- --service db-bootstrap` names the database bootstrap task.
  if (names.includes(RESERVED_TASK_NAME))
    issue(
      ["services", RESERVED_TASK_NAME],
      `"${RESERVED_TASK_NAME}" is reserved for the database bootstrap task (npm run task); choose another service name`,
    );
  if (bp.database && bp.database.minCapacity > bp.database.maxCapacity)
    issue(
      ["database", "minCapacity"],
      `${bp.database.minCapacity} is greater than database.maxCapacity (${bp.database.maxCapacity})`,
    );

  for (const [name, svc] of Object.entries(bp.services)) {
    const at = (...p: (string | number)[]) => ["services", name, ...p];
    if (!(FARGATE_CPU_SIZES as readonly number[]).includes(svc.cpu)) {
      issue(at("cpu"), `${svc.cpu} is not a Fargate CPU size (${FARGATE_CPU_SIZES.join(", ")})`);
    } else if (!isValidFargatePair(svc.cpu, svc.memory)) {
      issue(
        at("memory"),
        `${svc.memory} MiB is not valid with ${svc.cpu} CPU units (${fargateMemoryRule(svc.cpu)})`,
      );
    }
    if (svc.minCount > svc.maxCount)
      issue(at("minCount"), `${svc.minCount} is greater than maxCount (${svc.maxCount})`);
    if (svc.kind !== "scheduled" && (svc.desiredCount < svc.minCount || svc.desiredCount > svc.maxCount))
      issue(
        at("desiredCount"),
        `${svc.desiredCount} is outside minCount..maxCount (${svc.minCount}..${svc.maxCount})`,
      );
    if (svc.spotBase !== undefined && svc.spotBase > svc.minCount)
      issue(
        at("spotBase"),
        `${svc.spotBase} is greater than minCount (${svc.minCount}); the Spot base must always run`,
      );

    if (svc.kind === "web") {
      if (svc.paths.length === 0)
        issue(at("paths"), "a web service needs at least one ALB path pattern (e.g. /api/*)");
      for (const p of svc.paths) {
        const other = seenPaths.get(p);
        if (other) issue(at("paths"), `path ${p} is already routed to service ${other}`);
        seenPaths.set(p, name);
      }
    } else {
      if (svc.paths.length > 0)
        issue(at("paths"), `only web services are routed by the ALB (kind is ${svc.kind})`);
      if (svc.scaling.requestsPerTarget !== undefined)
        issue(at("scaling", "requestsPerTarget"), "needs a web service behind the ALB");
    }
    validateStrategy(bp, svc, at, issue);
    if (svc.kind === "scheduled") {
      if (!svc.schedule)
        issue(at("schedule"), "a scheduled service needs a schedule expression, e.g. rate(6 hours)");
      else if (scheduleExpressionProblem(svc.schedule))
        issue(
          at("schedule"),
          `${svc.schedule} is not a schedule expression (rate(N minutes|hours|days), cron(m h dom mon dow yr), at(yyyy-mm-ddThh:mm:ss)): ${scheduleExpressionProblem(svc.schedule)}`,
        );
    } else if (svc.schedule) {
      issue(at("schedule"), `only scheduled services take a schedule (kind is ${svc.kind})`);
    }
    for (const [envName, ref] of Object.entries(svc.secrets)) {
      if (!(ref.secret in bp.secrets))
        issue(
          at("secrets", envName, "secret"),
          `${shownName(ref.secret)} is not defined in secrets (defined: ${Object.keys(bp.secrets).join(", ") || "none"})`,
        );
      if (envName in svc.environment)
        issue(
          at("secrets", envName),
          "is also a plain environment variable; a name is either a secret or a value",
        );
    }
    for (const [i, callee] of svc.calls.entries()) {
      if (!names.includes(callee))
        issue(
          at("calls", i),
          `${shownName(callee)} is not a service of this blueprint (${names.join(", ")})`,
        );
      else if (callee === name) issue(at("calls", i), "a service cannot call itself");
      else if (bp.services[callee].kind === "scheduled")
        issue(at("calls", i), `${callee} is a scheduled job: it has no endpoint and no queue to call`);
    }
    if (svc.usesDatabase && !bp.database) issue(at("usesDatabase"), "the blueprint has no database section");
  }

  const cycle = findCycle(
    Object.fromEntries(
      Object.entries(bp.services).map(([n, s]) => [n, s.calls.filter((c) => c in bp.services)]),
    ),
  );
  if (cycle)
    issue(
      ["services"],
      `call cycle: ${cycle.join(" -> ")} (service calls must form a DAG so deployments have an order)`,
    );

  validateNetwork(bp, issue);
  validateBlueprintRules(bp, issue);
}

/** A name as written, quoted when it is empty or holds spaces (so the message shows it). */
const shownName = (name: string) => (/^\S+$/.test(name) ? name : JSON.stringify(name));

/** Which strategies AWS allows for a service, given its kind and the blueprint's mesh. */
export function allowedStrategies(kind: ServiceKind, meshEnabled: boolean): DeploymentStrategy[] {
  if (kind === "web") return meshEnabled ? ["ecs-blue-green", "rolling"] : [...DEPLOYMENT_STRATEGIES];
  // Without a load balancer, ECS-native blue/green shifts traffic only through Service Connect.
  if (kind === "backend" && meshEnabled) return ["ecs-blue-green", "rolling"];
  return ["rolling"];
}

function validateStrategy(
  bp: Blueprint,
  svc: ServiceConfig,
  at: (...p: (string | number)[]) => (string | number)[],
  issue: (path: (string | number)[], message: string) => void,
): void {
  const strategy = deploymentStrategy(svc);
  const allowed = allowedStrategies(svc.kind, bp.mesh.enabled);
  if (allowed.includes(strategy)) return;
  const why =
    strategy === "codedeploy" && svc.kind === "web"
      ? "ECS Service Connect (mesh.enabled) works only with the ECS deployment controller, and CodeDeploy needs CODE_DEPLOY"
      : strategy === "codedeploy"
        ? "CodeDeploy blue/green needs a web service behind the ALB"
        : svc.kind === "backend"
          ? "ECS-native blue/green shifts traffic through a load balancer or Service Connect, and this backend has neither (mesh.enabled is false)"
          : `a ${svc.kind} serves no traffic to shift between blue and green`;
  const defaulted = svc.deployment.strategy === undefined ? " (the default for web services)" : "";
  issue(
    at("deployment", "strategy"),
    `${strategy}${defaulted} is not allowed for this ${svc.kind} service: ${why}; allowed: ${allowed.join(", ")}`,
  );
}

function validateNetwork(bp: Blueprint, issue: (path: (string | number)[], message: string) => void): void {
  const vpc = parseCidr(bp.network.cidr);
  if (!vpc) return;
  if (vpc.prefix < 16 || vpc.prefix > 28) {
    issue(["network", "cidr"], `${bp.network.cidr} is not a valid VPC size (AWS allows /16 to /28)`);
    return;
  }
  if (!bp.network.subnets && vpc.prefix > 20) {
    issue(
      ["network", "cidr"],
      `${bp.network.cidr} is too small to derive 3 tiers of subnets in 3 AZs (use /16 to /20, or list network.subnets)`,
    );
    return;
  }
  // The guardrail (SG1) sums a port's sources too: forty /8s are as open as one /0.
  const testListenerAddresses = bp.loadBalancer.testListenerCidrs.reduce(
    (sum, c) => sum + 2 ** (32 - (parseCidr(c)?.prefix ?? 32)),
    0,
  );
  if (testListenerAddresses > TEST_LISTENER_MAX_ADDRESSES)
    issue(
      ["loadBalancer", "testListenerCidrs"],
      `${bp.loadBalancer.testListenerCidrs.length} CIDRs admit ${testListenerAddresses} addresses together; the test listener must not be open to the internet (at most ${TEST_LISTENER_MAX_ADDRESSES} addresses in all, one /8)`,
    );
  for (const [i, c] of bp.loadBalancer.testListenerCidrs.entries()) {
    const parsed = parseCidr(c);
    // Wider than a /8 is the internet for the guardrails too (SG1): 0.0.0.0/1 is as open as /0.
    if (parsed && parsed.prefix < 8)
      issue(
        ["loadBalancer", "testListenerCidrs", i],
        `${c}: the test listener must not be open to the internet (ranges wider than /8 are refused)`,
      );
    else if (parsed && (cidrsOverlap(parsed, vpc) || isPrivate(parsed)))
      issue(
        ["loadBalancer", "testListenerCidrs", i],
        `${c} is a private range; the ALB is internet-facing, so callers inside the VPC arrive from the NAT gateways' public addresses (admitted automatically). List operators' public CIDRs only`,
      );
  }
  const plan = bp.network.subnets ?? planSubnets(bp.network.cidr);
  const seen: { at: string; cidr: Cidr }[] = [];
  for (const tier of ["public", "private", "database"] as const) {
    for (const [i, text] of plan[tier].entries()) {
      const sub = parseCidr(text);
      if (!sub) continue;
      const at = `network.subnets.${tier}.${i}`;
      if (!cidrContains(vpc, sub))
        issue(["network", "subnets", tier, i], `${text} is not inside the VPC CIDR ${bp.network.cidr}`);
      if (sub.prefix > 28)
        issue(["network", "subnets", tier, i], `${text} is smaller than /28, the smallest subnet AWS allows`);
      const clash = seen.find((s) => cidrsOverlap(s.cidr, sub));
      if (clash)
        issue(["network", "subnets", tier, i], `${text} overlaps ${clash.at} (${formatCidr(clash.cidr)})`);
      seen.push({ at, cidr: sub });
    }
  }
}

/** RFC 1918 ranges: never the source address an internet-facing ALB sees. */
const TEST_LISTENER_MAX_ADDRESSES = 2 ** 24;
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((c) => parseCidr(c)!);
const isPrivate = (c: Cidr) => PRIVATE_RANGES.some((r) => cidrsOverlap(r, c));

/** Depth-first search for a cycle in a call graph; returns the cycle path or undefined. */
export function findCycle(graph: Record<string, string[]>): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === "done") return undefined;
    if (state.get(n) === "visiting") return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, "visiting");
    stack.push(n);
    for (const m of graph[n] ?? []) {
      const c = visit(m);
      if (c) return c;
    }
    stack.pop();
    state.set(n, "done");
    return undefined;
  };
  for (const n of Object.keys(graph)) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}
