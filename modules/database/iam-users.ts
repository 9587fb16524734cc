import { Construct } from "constructs";
import { RESERVED_TASK_NAME } from "../../config/schema";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { identityPolicyJson } from "../iam-policy-json";
import type { Naming } from "../naming";
import { ServiceSecurityGroup } from "../fargate-service/security";
import { ecsTasksTrust } from "../fargate-service/iam";
import { ValidationError } from "../errors";

/**
 * The PostgreSQL client image of the bootstrap task, pinned to a released version tag of the
 * Docker official image on Amazon ECR Public (no Docker Hub rate limit, no ECR pull permission
 * needed). Major 16 matches the cluster's engine; `psql` of a major talks to servers of the same
 * and older majors. A moving tag (`latest`, `16`) would change the client under the bootstrap
 * untested; bump it deliberately with the engine's major.
 */
export const DEFAULT_BOOTSTRAP_IMAGE = "public.ecr.aws/docker/library/postgres:16.6-alpine";

/**
 * Name of the bootstrap task in `npm run task` and subject of its names
 * (`task-<blueprint>-db-bootstrap-<suffix>`); no service may take it (config validation).
 */
export const BOOTSTRAP_TASK = RESERVED_TASK_NAME;
/** Name of the bootstrap task's container (what `npm run task` overrides the command of). */
export const BOOTSTRAP_CONTAINER = "psql";

/**
 * The database user of a service: its name with `-` replaced by `_` (a PostgreSQL identifier
 * that needs no quoting; service names are DNS labels of at most 28 characters, so the result
 * is within PostgreSQL's 63).
 */
/** PostgreSQL words `CREATE ROLE` refuses as a plain name (reserved key words; `pg_` prefix). */
const RESERVED_ROLE_NAMES = new Set([
  "all",
  "analyse",
  "analyze",
  "and",
  "any",
  "array",
  "as",
  "asc",
  "asymmetric",
  "both",
  "case",
  "cast",
  "check",
  "collate",
  "column",
  "constraint",
  "create",
  "current_catalog",
  "current_date",
  "current_role",
  "current_time",
  "current_timestamp",
  "current_user",
  "default",
  "deferrable",
  "desc",
  "distinct",
  "do",
  "else",
  "end",
  "except",
  "false",
  "fetch",
  "for",
  "foreign",
  "from",
  "grant",
  "group",
  "having",
  "in",
  "initially",
  "intersect",
  "into",
  "lateral",
  "leading",
  "limit",
  "localtime",
  "localtimestamp",
  "not",
  "null",
  "offset",
  "on",
  "only",
  "or",
  "order",
  "placing",
  "primary",
  "public",
  "references",
  "returning",
  "select",
  "session_user",
  "some",
  "symmetric",
  "system_user",
  "table",
  "then",
  "to",
  "trailing",
  "true",
  "union",
  "unique",
  "user",
  "using",
  "variadic",
  "when",
  "where",
  "window",
  "with",
  "none",
]);

export function databaseUserName(service: string): string {
  const user = service.replace(/-/g, "_");
  if (RESERVED_ROLE_NAMES.has(user) || user.startsWith("pg_")) {
    throw new ValidationError(
      `database: service name ${service} gives the database user ${user}, which PostgreSQL reserves; rename the service`,
    );
  }
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(user)) {
    throw new ValidationError(
      `database: service name ${service} gives the database user ${user}, not a plain PostgreSQL identifier`,
    );
  }
  return user;
}

/**
 * The resource `rds-db:connect` is authorised on for one database user: the cluster's resource
 * id (`cluster-ABCDEFGHIJKL...`), not its identifier (Aurora user guide, "Creating and using an
 * IAM policy for IAM database access").
 */
export function rdsDbConnectArn(
  arns: { readonly partition: string; readonly region: string; readonly accountId: string },
  clusterResourceId: string,
  user: string,
): string {
  return `arn:${arns.partition}:rds-db:${arns.region}:${arns.accountId}:dbuser:${clusterResourceId}/${user}`;
}

/**
 * SQL that makes every user exist, log in only with IAM tokens (`rds_iam`) and use the
 * database's `public` schema. Idempotent: the task can run again after a service is added.
 */
/**
 * The role that owns the application's objects in a database (NOLOGIN): every service user is a
 * member and its sessions act as it (`ALTER ROLE … SET role`), so tables one service or its
 * migration creates are owned by this role and usable (and alterable) by every service of the
 * database: the services of a blueprint share one schema.
 */
export function applicationRoleName(databaseName: string): string {
  return `${databaseName.slice(0, 59)}_app`;
}

/**
 * Idempotent SQL, run as the master user: the shared application role (which takes over the
 * tables, views and standalone sequences the master user owns in `public`, i.e. everything the
 * services created while they still logged in with the master credentials), then per service
 * a login role with IAM authentication (`rds_iam`) that is a member of it.
 */
export function bootstrapSql(databaseName: string, users: readonly string[]): string {
  const app = applicationRoleName(databaseName);
  const ownerTo = (kind: string, filter: string) =>
    `DO $$ DECLARE r record; BEGIN FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) AND ${filter} LOOP EXECUTE format('ALTER ${kind} public.%I OWNER TO ${app}', r.relname); END LOOP; END $$;`;
  const statements = [
    `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${app}') THEN CREATE ROLE ${app} NOLOGIN; END IF; END $$;`,
    // Handing objects to a role needs membership in it.
    `GRANT ${app} TO CURRENT_USER;`,
    `GRANT CONNECT ON DATABASE ${databaseName} TO ${app};`,
    `GRANT USAGE, CREATE ON SCHEMA public TO ${app};`,
    ownerTo("TABLE", "c.relkind IN ('r', 'p', 'f')"),
    ownerTo("VIEW", "c.relkind = 'v'"),
    ownerTo("MATERIALIZED VIEW", "c.relkind = 'm'"),
    // Sequences linked to a table (serial, identity) moved with it; only standalone ones here.
    ownerTo(
      "SEQUENCE",
      "c.relkind = 'S' AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))",
    ),
    ...users.flatMap((user) => [
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${user}') THEN CREATE ROLE ${user} LOGIN; END IF; END $$;`,
      `GRANT rds_iam TO ${user};`,
      `GRANT ${app} TO ${user};`,
      `ALTER ROLE ${user} SET role = '${app}';`,
    ]),
  ];
  return statements.join("\n");
}

export interface DatabaseUserBootstrapProps {
  readonly naming: Naming;
  readonly arns: { readonly partition: string; readonly region: string; readonly accountId: string };
  readonly vpcId: string;
  readonly database: {
    readonly endpoint: string;
    readonly port: number;
    readonly name: string;
    readonly securityGroupId: string;
    /** The RDS-managed master secret: the bootstrap task is its only reader. */
    readonly masterSecretArn: string;
    /** CMK of the master secret. */
    readonly masterSecretKmsKeyArn: string;
  };
  /** Service names that use the database; each gets the user {@link databaseUserName}. */
  readonly services: readonly string[];
  /** CMK of the log group (its key policy admits CloudWatch Logs). */
  readonly logsKmsKeyArn: string;
  readonly logRetentionDays: number;
  /** PostgreSQL client image. @default DEFAULT_BOOTSTRAP_IMAGE */
  readonly image?: string;
}

/**
 * A one-off Fargate task the platform ships (never an ECS service): with the master
 * credentials injected, it creates one IAM-authenticated database user per service that uses
 * the database. Run it after the first deploy and after adding a database service:
 * `npm run task -- --service db-bootstrap`. It is the only task definition that reads the
 * master secret; a rotation of that secret affects only its next run, which reads the new value.
 */
export class DatabaseUserBootstrap extends Construct {
  readonly taskDefinition: EcsTaskDefinition;
  readonly securityGroup: ServiceSecurityGroup;
  readonly executionRole: IamRole;
  readonly containerName = BOOTSTRAP_CONTAINER;
  readonly logGroupName: string;

  constructor(scope: Construct, id: string, props: DatabaseUserBootstrapProps) {
    super(scope, id);
    const { naming, database: db, arns } = props;
    // The security group is VPC-scoped and named after the blueprint; account-scoped names
    // (log group, roles, family) get the blueprint from naming.
    const subject = `${naming.blueprint}-${BOOTSTRAP_TASK}`;
    const users = props.services.map(databaseUserName);

    this.securityGroup = new ServiceSecurityGroup(this, "security", {
      naming,
      serviceName: subject,
      vpcId: props.vpcId,
      database: { securityGroupId: db.securityGroupId, port: db.port },
    });

    const logGroup = new CloudwatchLogGroup(this, "logs", {
      name: naming.name("logGroup", BOOTSTRAP_TASK),
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logsKmsKeyArn,
    });
    this.logGroupName = logGroup.name;

    const trust = ecsTasksTrust(this, arns.accountId);
    this.executionRole = new IamRole(this, "execution-role", {
      name: naming.name("iamRole", `${BOOTSTRAP_TASK}-exec`),
      assumeRolePolicy: trust.json,
    });
    new IamRolePolicy(this, "execution-policy", {
      name: naming.name("iamPolicy", `${BOOTSTRAP_TASK}-exec`),
      role: this.executionRole.id,
      // No ECR statements: the image comes from ECR Public, which needs no credentials.
      policy: identityPolicyJson([
        {
          sid: "WriteOwnLogs",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [`${logGroup.arn}:*`],
        },
        {
          sid: "ReadMasterSecret",
          actions: ["secretsmanager:GetSecretValue"],
          resources: [db.masterSecretArn],
        },
        {
          sid: "DecryptMasterSecret",
          actions: ["kms:Decrypt"],
          resources: [db.masterSecretKmsKeyArn],
          condition: [
            {
              test: "StringEquals",
              variable: "kms:ViaService",
              values: [`secretsmanager.${arns.region}.amazonaws.com`],
            },
          ],
        },
      ]),
    });

    const container = {
      name: BOOTSTRAP_CONTAINER,
      image: props.image ?? DEFAULT_BOOTSTRAP_IMAGE,
      essential: true,
      command: ["sh", "-c", 'exec psql --no-psqlrc -v ON_ERROR_STOP=1 -c "$BOOTSTRAP_SQL"'],
      environment: [
        { name: "PGHOST", value: db.endpoint },
        { name: "PGPORT", value: String(db.port) },
        { name: "PGDATABASE", value: db.name },
        // Aurora PostgreSQL accepts TLS; the master password never crosses the network in clear.
        { name: "PGSSLMODE", value: "require" },
        { name: "BOOTSTRAP_SQL", value: bootstrapSql(db.name, users) },
      ],
      secrets: [
        { name: "PGPASSWORD", valueFrom: `${db.masterSecretArn}:password::` },
        { name: "PGUSER", valueFrom: `${db.masterSecretArn}:username::` },
      ],
      readonlyRootFilesystem: true,
      portMappings: [],
      mountPoints: [],
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": logGroup.name,
          "awslogs-region": arns.region,
          "awslogs-stream-prefix": BOOTSTRAP_CONTAINER,
        },
      },
    };
    this.taskDefinition = new EcsTaskDefinition(this, "task", {
      family: naming.name("taskFamily", BOOTSTRAP_TASK),
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "256",
      memory: "512",
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
      executionRoleArn: this.executionRole.arn,
      containerDefinitions: JSON.stringify([container]),
    });
  }
}
