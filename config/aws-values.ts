/**
 * AWS's documented rules for values a blueprint passes straight to an API, so a value AWS
 * would reject fails at synthesis (with the rule) instead of at `terraform apply`. Each rule
 * names its source; the static lists are dated and must be refreshed when AWS adds entries.
 */

/**
 * Commercial, GovCloud and China Regions as of 2026-12 (AWS General Reference, "Regions and
 * Availability Zones", and `aws ec2 describe-regions --all-regions`). A Region AWS adds later
 * is one line here.
 */
export const AWS_REGIONS = [
  "us-east-1", "us-east-2", "us-west-1", "us-west-2",
  "af-south-1",
  "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
  "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
  "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
  "ca-central-1", "ca-west-1",
  "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1",
  "il-central-1", "me-south-1", "me-central-1", "mx-central-1", "sa-east-1",
  "us-gov-east-1", "us-gov-west-1", "cn-north-1", "cn-northwest-1",
] as const; // prettier-ignore

/**
 * Predefined ALB security policies as of 2026-12 (Elastic Load Balancing, Application Load
 * Balancers, "Security policies for your Application Load Balancer"; ALBs take no custom
 * policy, so CreateListener rejects any other name).
 */
export const ALB_SSL_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
  "ELBSecurityPolicy-TLS13-1-1-2021-06",
  "ELBSecurityPolicy-TLS13-1-0-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
  "ELBSecurityPolicy-FS-1-2-Res-2020-10",
  "ELBSecurityPolicy-FS-1-2-Res-2019-08",
  "ELBSecurityPolicy-FS-1-2-2019-08",
  "ELBSecurityPolicy-FS-1-1-2019-08",
  "ELBSecurityPolicy-FS-2018-06",
  "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
  "ELBSecurityPolicy-TLS-1-2-2017-01",
  "ELBSecurityPolicy-TLS-1-1-2017-01",
  "ELBSecurityPolicy-2016-08",
  "ELBSecurityPolicy-2015-05",
] as const;

/**
 * Tags (AWS tagging docs, "Tag restrictions"; the ECS `Tag` API shape): at most 50 per
 * resource, keys of 1-128 and values of 0-256 Unicode characters, letters, digits, spaces and
 * `+ - = . _ : / @`; the `aws:` prefix (any case) is reserved for AWS.
 */
export const TAG_LIMITS = { maxTags: 50, keyMax: 128, valueMax: 256 } as const;
const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export function tagKeyProblem(key: string): string | undefined {
  if (key.length < 1 || [...key].length > TAG_LIMITS.keyMax)
    return `a tag key has 1-${TAG_LIMITS.keyMax} characters`;
  if (/^aws:/i.test(key)) return "the aws: prefix is reserved for AWS";
  if (!TAG_CHARACTERS.test(key)) return "a tag key holds letters, digits, spaces and + - = . _ : / @";
  return undefined;
}

export function tagValueProblem(value: string): string | undefined {
  if ([...value].length > TAG_LIMITS.valueMax)
    return `${[...value].length} characters; a tag value has at most ${TAG_LIMITS.valueMax}`;
  if (/^aws:/i.test(value)) return "the aws: prefix is reserved for AWS";
  if (!TAG_CHARACTERS.test(value)) return "a tag value holds letters, digits, spaces and + - = . _ : / @";
  return undefined;
}

/**
 * ALB path patterns (ELBv2 API, RuleCondition Values and PathPatternConditionConfig): up to 128
 * characters, case-sensitive, of A-Z a-z 0-9, `_ - . $ / ~ " ' @ : +`, `&` and the wildcards
 * `*` (0 or more characters) and `?` (exactly one).
 */
export const ALB_PATH_PATTERN = /^[A-Za-z0-9_\-.$/~"'@:+&*?]{1,128}$/;

/** Whether a path pattern routes every request (the only catch-all is exactly `/*`). */
export const isCatchAllPath = (pattern: string) => pattern === "/*";

/**
 * Whether some path matches both glob patterns (`*` any run of characters, `?` one character):
 * two services with overlapping patterns would compete for the same requests, and listener
 * priorities (hashed from service names, docs/decisions.md) do not order them.
 */
export function pathPatternsOverlap(a: string, b: string): boolean {
  const memo = new Map<string, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = `${i},${j}`;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    let result: boolean;
    if (i === a.length && j === b.length) result = true;
    else if (i < a.length && a[i] === "*") result = go(i + 1, j) || (j < b.length && go(i, j + 1));
    else if (j < b.length && b[j] === "*") result = go(i, j + 1) || (i < a.length && go(i + 1, j));
    else if (i < a.length && j < b.length && (a[i] === b[j] || a[i] === "?" || b[j] === "?"))
      result = go(i + 1, j + 1);
    else result = false;
    memo.set(key, result);
    return result;
  };
  return go(0, 0);
}

/**
 * ALB health check success codes (ELBv2 Matcher.HttpCode): for Application Load Balancers,
 * values from 200 to 499, as a list ("200,202") or a range ("200-299").
 */
export function healthCheckMatcherProblem(matcher: string): string | undefined {
  if (!/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/.test(matcher))
    return "is not an HTTP code list (e.g. 200, 200-399 or 200,204)";
  for (const part of matcher.split(",")) {
    const [low, high = low] = part.split("-").map(Number);
    if (low < 200 || high > 499) return `${part} is outside 200-499, the codes an ALB health check accepts`;
    if (low > high) return `${part} is a range from high to low`;
  }
  return undefined;
}

/**
 * Aurora PostgreSQL (RDS API CreateDBCluster; Aurora PostgreSQL release notes as of 2026-12):
 * engine versions `<major>.<minor>` of majors 11-17; DB instance classes of the families Aurora
 * PostgreSQL supports; ports 1150-65535 ("Valid Values: 1150-65535").
 */
export const AURORA_POSTGRES_MAJORS = [11, 12, 13, 14, 15, 16, 17] as const;
export const AURORA_PORT_RANGE = [1150, 65535] as const;
export const AURORA_INSTANCE_CLASS =
  /^db\.((r5|r6g|r6gd|r6i|r6id|r7g|r7i|r8g|x2g)\.(large|xlarge|[1-9]\d?xlarge)|(t3|t4g)\.(medium|large))$/;

export function auroraVersionProblem(version: string): string | undefined {
  const m = /^(\d+)\.(\d+)$/.exec(version);
  if (!m) return "is not an Aurora PostgreSQL engine version (<major>.<minor>, e.g. 16.6)";
  if (!(AURORA_POSTGRES_MAJORS as readonly number[]).includes(Number(m[1])))
    return `major version ${m[1]} is not an Aurora PostgreSQL major version (${AURORA_POSTGRES_MAJORS.join(", ")})`;
  return undefined;
}

/**
 * Aurora Serverless v2 capacity (RDS, "Aurora Serverless v2 capacity"): 0 to 256 ACUs in steps
 * of 0.5; a maximum of at least 1.
 */
export const isHalfAcuStep = (acus: number) => Number.isInteger(acus * 2);

/**
 * CloudWatch Logs filter patterns (CloudWatch Logs User Guide, "Filter pattern syntax for
 * metric filters, subscription filters, and filter log events"; PutMetricFilter filterPattern
 * 0-1024 characters): terms (`ERROR`, `"quoted text"`, `?any`, `-exclude`), a JSON pattern
 * `{ $.field = value }`, a space-delimited pattern `[a, b=…]`, or a regular expression `%…%`.
 * An empty pattern matches every event, so a metric counting errors would count every line.
 */
export function filterPatternProblem(pattern: string): string | undefined {
  const p = pattern.trim();
  if (p.length === 0) return "is empty, which matches every log event (give the terms that mark an error)";
  if (pattern.length > 1024) return "is longer than 1024 characters, the CloudWatch Logs limit";
  if ((p.match(/"/g) ?? []).length % 2 !== 0) return "has an unclosed quote";
  const unquoted = p.replace(/"[^"]*"/g, '""');
  if (p.startsWith("{")) {
    if (!p.endsWith("}")) return "starts a JSON pattern with { but does not end with }";
    if (!/\$[.[]/.test(unquoted))
      return 'is a JSON pattern without a $.field selector (e.g. { $.level = "ERROR" })';
    if (!balanced(unquoted, "(", ")")) return "has unbalanced parentheses";
    if (!/(=|!=|<|>|IS NULL|NOT EXISTS|EXISTS)/.test(unquoted))
      return "is a JSON pattern without a comparison (=, !=, <, >, IS NULL, NOT EXISTS)";
    return undefined;
  }
  if (p.startsWith("["))
    return p.endsWith("]") ? undefined : "starts a space-delimited pattern with [ but does not end with ]";
  if (p.startsWith("%"))
    return p.length > 2 && p.endsWith("%")
      ? undefined
      : "starts a regular expression with % but does not end with %";
  if (/[{}[\]]/.test(unquoted))
    return "mixes braces or brackets into a term pattern (JSON patterns start with {, space-delimited ones with [)";
  const terms = unquoted.split(/\s+/);
  const bare = terms.find((t) => t === "?" || t === "-");
  if (bare) return `has a lone "${bare}" (write ?term or -term)`;
  return undefined;
}

function balanced(text: string, open: string, close: string): boolean {
  let depth = 0;
  for (const c of text) {
    if (c === open) depth++;
    if (c === close && --depth < 0) return false;
  }
  return depth === 0;
}

/** Amazon ECS service quotas: a task definition (all its JSON) is at most 64 KiB. */
export const TASK_DEFINITION_MAX_BYTES = 64 * 1024;
/** Room left for what the platform puts in a task definition (sidecar, log and port settings, platform variables). */
export const TASK_DEFINITION_PLATFORM_RESERVE_BYTES = 8 * 1024;

/**
 * DNS (RFC 1035, and Cloud Map CreatePrivateDnsNamespace: a name of up to 253 characters):
 * labels of 1-63 characters.
 */
export const DNS_LABEL_MAX = 63;
export const DNS_NAME_MAX = 253;

/** S3 bucket names (S3 User Guide, "General purpose bucket naming rules"). */
export const S3_BUCKET_NAME =
  /^(?!xn--)(?!sthree-)(?!.*-s3alias$)(?!.*--ol-s3$)(?!\d+\.\d+\.\d+\.\d+$)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** SQS queue names (SQS CreateQueue QueueName): 1-80 of alphanumerics, hyphens, underscores; `.fifo` for FIFO. */
export const SQS_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}(\.fifo)?$|^[A-Za-z0-9_-]{1,80}$/;
/** DynamoDB table names (CreateTable TableName): 3-255 of a-z A-Z 0-9 `_ - .`. */
export const DYNAMODB_TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
