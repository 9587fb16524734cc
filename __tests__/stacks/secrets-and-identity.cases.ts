/**
 * Issue 16 over the synthesized apps of every built-in blueprint: database identities per
 * service (IAM authentication, the master secret read only by the bootstrap task), secrets that
 * never appear in a plan, KMS keys by purpose, no engine-version downgrade plans, fraud's task
 * roles reading their secrets, and the state bucket's key and retention.
 */
import { BUILT_IN_BLUEPRINTS } from "../../config/blueprints";
import { databaseUserName, DEFAULT_BOOTSTRAP_IMAGE } from "../../modules/database/iam-users";
import { stateKmsAliasName } from "../../modules/naming";
import {
  containersOf,
  ofService,
  policyJsonStatements,
  ref,
  resourcesFor,
  statementsOf,
  underPath,
} from "../support/find";
import {
  blueprintWith,
  configFor,
  configFrom,
  dataSources,
  Json,
  resources,
  synthApp,
} from "../support/synth";

const BLUEPRINTS = Object.keys(BUILT_IN_BLUEPRINTS);
const apps = Object.fromEntries(BLUEPRINTS.map((name) => [name, synthApp(configFor(name))]));
const platformOf = (name: string): Json => apps[name].stacks.platform;
const withDatabase = BLUEPRINTS.filter((name) => BUILT_IN_BLUEPRINTS[name].database);
const databaseServices = (name: string) =>
  Object.entries(BUILT_IN_BLUEPRINTS[name].services)
    .filter(([, s]) => s.usesDatabase)
    .map(([service]) => service);

const clusterOf = (platform: Json): [string, Json] =>
  Object.entries(resources(platform, "aws_rds_cluster"))[0];
const bootstrapTask = (platform: Json): Json =>
  underPath(platform, "aws_ecs_task_definition", "platform/database-bootstrap/")[0]?.[1];

test("blueprints with a rotated database secret exist (fraud and fintech)", () => {
  expect(withDatabase.sort()).toEqual(["fintech", "fraud"]);
  for (const name of withDatabase) expect(BUILT_IN_BLUEPRINTS[name].database?.rotationDays).toBe(30);
});

describe.each(withDatabase)("%s: rotation never reaches a running consumer", (name) => {
  const platform = platformOf(name);
  const [clusterId, cluster] = clusterOf(platform);
  const masterSecret = ref("aws_rds_cluster", clusterId, "master_user_secret[0].secret_arn");

  test("the master secret still rotates every 30 days", () => {
    const [rotation] = Object.values(resources(platform, "aws_secretsmanager_secret_rotation"));
    expect(rotation.secret_id).toBe(masterSecret);
    expect(rotation.rotation_rules.automatically_after_days).toBe(30);
  });

  test("no task definition but the bootstrap task references the master secret", () => {
    const readers = Object.entries(resources(platform, "aws_ecs_task_definition"))
      .filter(([, td]) => JSON.stringify(td).includes("master_user_secret"))
      .map(([, td]) => td["//"].metadata.path as string);
    expect(readers).toEqual(["platform/database-bootstrap/task"]);
  });

  test("no service role may read the master secret", () => {
    const policies = Object.values(resources(platform, "aws_iam_role_policy")).filter(
      (p) => !(p["//"].metadata.path as string).startsWith("platform/database-bootstrap/"),
    );
    expect(policies.length).toBeGreaterThan(0);
    for (const policy of policies) expect(policy.policy).not.toContain("master_user_secret");
  });

  test("the cluster has IAM database authentication on", () => {
    expect(cluster.iam_database_authentication_enabled).toBe(true);
  });

  test.each(databaseServices(name))("%s connects as its own user with an IAM token", (service) => {
    const user = databaseUserName(service);
    const [, td] = ofService(platform, "aws_ecs_task_definition", service)[0];
    const app = containersOf(td).find((c) => c.name === service)!;
    const env = Object.fromEntries((app.environment as Json[]).map((e) => [e.name, e.value]));
    expect(env).toEqual(expect.objectContaining({ DB_USERNAME: user, DB_IAM_AUTH: "true" }));
    expect((app.secrets as Json[]).map((s) => s.name)).not.toContain("DB_PASSWORD");
    expect(resourcesFor(platform, service, "task-policy", "rds-db:connect")).toEqual([
      `arn:\${data.aws_partition.partition.partition}:rds-db:${BUILT_IN_BLUEPRINTS[name].region}:\${data.aws_caller_identity.account.account_id}:dbuser:${ref("aws_rds_cluster", clusterId, "cluster_resource_id")}/${user}`,
    ]);
  });

  test("the bootstrap task creates exactly the users of the database services, IAM-only", () => {
    const [container] = containersOf(bootstrapTask(platform));
    const sql = (container.environment as Json[]).find((e) => e.name === "BOOTSTRAP_SQL")!.value as string;
    const created = [...sql.matchAll(/CREATE ROLE (\w+) LOGIN/g)].map((m) => m[1]).sort();
    expect(created).toEqual(databaseServices(name).map(databaseUserName).sort());
    for (const user of created) expect(sql).toContain(`GRANT rds_iam TO ${user};`);
    // One shared application role per database: every service user is a member and acts as it,
    // so tables created by one service (or by the master user before IAM auth) serve them all.
    const app = [...sql.matchAll(/CREATE ROLE (\w+) NOLOGIN/g)].map((m) => m[1]);
    expect(app).toHaveLength(1);
    for (const user of created) {
      expect(sql).toContain(`GRANT ${app[0]} TO ${user};`);
      expect(sql).toContain(`ALTER ROLE ${user} SET role = '${app[0]}';`);
    }
    expect(sql).toMatch(new RegExp(`ALTER TABLE public\\.%I OWNER TO ${app[0]}`));
    expect(sql).toContain(`GRANT USAGE, CREATE ON SCHEMA public TO ${app[0]};`);
    expect(sql).not.toMatch(/PASSWORD/i);
    expect(container.secrets).toEqual([
      { name: "PGPASSWORD", valueFrom: `${masterSecret}:password::` },
      { name: "PGUSER", valueFrom: `${masterSecret}:username::` },
    ]);
  });

  test("the bootstrap image is the pinned PostgreSQL client, not a moving tag", () => {
    const [container] = containersOf(bootstrapTask(platform));
    expect(container.image).toBe(DEFAULT_BOOTSTRAP_IMAGE);
    expect(container.image).toMatch(/:16\.\d+-alpine$/);
  });

  test("the bootstrap task's security group is admitted by the database on its port only", () => {
    const [sgId] = underPath(platform, "aws_security_group", "platform/database-bootstrap/")[0];
    const ingress = Object.values(resources(platform, "aws_vpc_security_group_ingress_rule")).filter(
      (r) => r.referenced_security_group_id === ref("aws_security_group", sgId, "id"),
    );
    expect(ingress).toEqual([expect.objectContaining({ from_port: 5432, to_port: 5432 })]);
  });

  test("its execution role reads only the master secret, decrypting only through Secrets Manager", () => {
    const [, policy] = underPath(platform, "aws_iam_role_policy", "platform/database-bootstrap/")[0];
    const statements = statementsOf(platform, policy);
    expect(statements.find((s) => s.sid === "ReadMasterSecret")!.resources).toEqual([masterSecret]);
    expect(statements.find((s) => s.sid === "DecryptMasterSecret")!.condition[0].variable).toBe(
      "kms:ViaService",
    );
  });

  test("npm run task finds every database service and the bootstrap task in one_off_tasks", () => {
    const value = platform.output.one_off_tasks.value as Json;
    expect(Object.keys(value).sort()).toEqual(
      [...Object.keys(BUILT_IN_BLUEPRINTS[name].services), "db-bootstrap"].sort(),
    );
    expect(value["db-bootstrap"].containerName).toBe("psql");
    const [logGroupId] = underPath(platform, "aws_cloudwatch_log_group", "platform/database-bootstrap/")[0];
    expect(value["db-bootstrap"].logGroupName).toBe(ref("aws_cloudwatch_log_group", logGroupId, "name"));
    const [container] = containersOf(bootstrapTask(platform));
    expect(container.logConfiguration.options["awslogs-stream-prefix"]).toBe(
      value["db-bootstrap"].logStreamPrefix,
    );
    for (const service of databaseServices(name)) {
      const [, td] = ofService(platform, "aws_ecs_task_definition", service)[0];
      const app = containersOf(td).find((c) => c.name === value[service].containerName)!;
      expect(app.logConfiguration.options["awslogs-stream-prefix"]).toBe(value[service].logStreamPrefix);
    }
  });

  test("minor upgrades by AWS never plan an engine-version downgrade", () => {
    expect(cluster.lifecycle.ignore_changes).toContain("engine_version");
    for (const instance of Object.values(resources(platform, "aws_rds_cluster_instance")))
      expect(instance.lifecycle.ignore_changes).toContain("engine_version");
  });
});

describe.each(BLUEPRINTS)("%s: no secret value in plans or ids", (name) => {
  test("has no aws_secretsmanager_random_password data source and no secret_string", () => {
    for (const stack of Object.values(apps[name].stacks)) {
      expect(Object.keys(dataSources(stack, "aws_secretsmanager_random_password"))).toEqual([]);
      for (const version of Object.values(resources(stack, "aws_secretsmanager_secret_version")))
        expect(version.secret_string).toBeUndefined();
    }
  });

  test("generated secrets are written once through the write-only attribute from an ephemeral password", () => {
    const platform = platformOf(name);
    const generated = Object.entries(BUILT_IN_BLUEPRINTS[name].secrets ?? {}).filter(
      ([, s]) => s.source === "create" && s.generate !== false,
    );
    const versions = Object.values(resources(platform, "aws_secretsmanager_secret_version"));
    expect(versions).toHaveLength(generated.length);
    const ephemeral = Object.keys(platform.ephemeral?.aws_secretsmanager_random_password ?? {});
    expect(ephemeral).toHaveLength(generated.length);
    for (const version of versions) {
      expect(version.secret_string_wo_version).toBe(1);
      const used = /ephemeral\.aws_secretsmanager_random_password\.(\w+)\.random_password/.exec(
        version.secret_string_wo as string,
      )?.[1];
      expect(ephemeral).toContain(used);
    }
    if (generated.length > 0) expect(platform.terraform.required_version).toBe(">= 1.11.0");
  });
});

describe("KMS by purpose", () => {
  test.each(BLUEPRINTS)("%s: no key policy has a statement for CloudWatch alarms", (name) => {
    for (const stack of [platformOf(name), apps[name].stacks.network]) {
      for (const doc of Object.values(dataSources(stack, "aws_iam_policy_document"))) {
        const principals = ((doc.statement ?? []) as Json[]).flatMap((s) =>
          ((s.principals ?? []) as Json[]).flatMap((p) => p.identifiers as string[]),
        );
        expect(principals).not.toContain("cloudwatch.amazonaws.com");
      }
    }
  });

  describe("fintech: Service Connect TLS has its own key", () => {
    const platform = platformOf("fintech");
    const [tlsKeyId] = underPath(platform, "aws_kms_key", "platform/service-connect-tls-key/")[0];
    const [platformKeyId] = underPath(platform, "aws_kms_key", "platform/kms/")[0];
    const tlsKey = ref("aws_kms_key", tlsKeyId, "arn");

    test("the TLS role may use only the TLS key", () => {
      const [, policy] = underPath(platform, "aws_iam_role_policy", "platform/service-connect-ca/")[0];
      const kmsResources = statementsOf(platform, policy)
        .filter((s) => (s.actions as string[]).some((a) => a.startsWith("kms:")))
        .flatMap((s) => s.resources as string[]);
      expect(kmsResources).toEqual([tlsKey]);
      expect(JSON.stringify(policy)).not.toContain(`aws_kms_key.${platformKeyId}.`);
    });

    test("every meshed service's TLS config names the TLS key", () => {
      const services = Object.values(resources(platform, "aws_ecs_service"));
      expect(services.length).toBe(3);
      for (const service of services)
        expect(JSON.stringify(service.service_connect_configuration)).toContain(`"kms_key":"${tlsKey}"`);
    });

    test("the TLS key's policy has no CloudWatch Logs statement", () => {
      const [, key] = underPath(platform, "aws_kms_key", "platform/service-connect-tls-key/")[0];
      const docId = /data\.aws_iam_policy_document\.([^.]+)\.json/.exec(key.policy as string)![1];
      const sids = (platform.data.aws_iam_policy_document[docId].statement as Json[]).map((s) => s.sid);
      expect(sids).toEqual(["AccountRootFullAccess"]);
    });
  });

  describe("looked-up secrets and external resources with a customer-managed key", () => {
    const KEY = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const DATA_KEY = "arn:aws:kms:eu-central-1:123456789012:key/abcd1234-12ab-34cd-56ef-1234567890ab";
    const config = configFrom(
      blueprintWith("fraud", (bp) => {
        bp.secrets!["api-keys"] = { source: "lookup", name: "fraud/api-keys", kmsKeyArn: KEY };
        bp.services["fraud-worker"].access = {
          s3Buckets: [{ name: "fraud-detection-data", write: true, kmsKeyArn: DATA_KEY }],
        };
      }),
    );
    const platform = synthApp(config).stacks.platform;

    test.each(["fraud-api", "fraud-worker"])(
      "%s: execution and task roles may decrypt the secret's key",
      (service) => {
        expect(resourcesFor(platform, service, "execution-policy", "kms:Decrypt")).toEqual([KEY]);
        expect(resourcesFor(platform, service, "task-policy", "kms:Decrypt")).toContain(KEY);
      },
    );

    test("the worker may use its bucket's key through S3 only, with GenerateDataKey to write", () => {
      const [, policy] = ofService(platform, "aws_iam_role_policy", "fraud-worker").find(([, p]) =>
        (p["//"].metadata.path as string).includes("task-policy"),
      )!;
      const statement = policyJsonStatements(policy.policy as string).find((s) => s.sid === "S3BucketKeys")!;
      expect(statement.actions).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
      expect(statement.resources).toEqual([DATA_KEY]);
      expect(statement.condition[0].values).toEqual(["s3.eu-central-1.amazonaws.com"]);
    });

    test("the plan fails when the looked-up secret's key is not the declared one", () => {
      const [secretId] = Object.keys(dataSources(platform, "aws_secretsmanager_secret"));
      const [key] = Object.values(dataSources(platform, "aws_kms_key"));
      expect(key.key_id).toBe(`\${data.aws_secretsmanager_secret.${secretId}.kms_key_id}`);
      const [check] = key.lifecycle.postcondition as Json[];
      expect(check.condition).toBe(`\${self.arn == "${KEY}"}`);
      expect(check.error_message).toMatch(
        /secrets.api-keys.kmsKeyArn: fraud\/api-keys is not encrypted with/,
      );
    });

    test("without a declared key the plan fails when the secret has a customer-managed one", () => {
      const [, secret] = Object.entries(dataSources(platformOf("fraud"), "aws_secretsmanager_secret"))[0];
      const [check] = secret.lifecycle.postcondition as Json[];
      expect(check.condition).toContain('self.kms_key_id == ""');
      expect(check.error_message).toMatch(/encrypted with a customer-managed key and none is given/);
    });

    test("fails when kmsKeyArn is not a key ARN", () => {
      expect(() =>
        configFrom(
          blueprintWith("fraud", (bp) => {
            bp.secrets!["api-keys"] = { source: "lookup", name: "fraud/api-keys", kmsKeyArn: "alias/mine" };
          }),
        ),
      ).toThrow(/secrets.api-keys.kmsKeyArn.*is not a KMS key ARN/);
    });
  });
});

describe("fraud: task roles read the secrets the brief names", () => {
  const platform = platformOf("fraud");
  const [secretId] = Object.entries(dataSources(platform, "aws_secretsmanager_secret"))[0];
  const secretArn = `\${data.aws_secretsmanager_secret.${secretId}.arn}`;

  test.each(["fraud-api", "fraud-worker"])("%s: GetSecretValue on exactly api-keys", (service) => {
    expect(resourcesFor(platform, service, "task-policy", "secretsmanager:GetSecretValue")).toEqual([
      secretArn,
    ]);
  });

  test("fraud-job names no secret and its task role reads none", () => {
    expect(resourcesFor(platform, "fraud-job", "task-policy", "secretsmanager:GetSecretValue")).toEqual([]);
  });
});

describe("state storage", () => {
  const trading = apps.trading.stacks;
  const state = trading.state;

  test("every environment stack's backend names the state bucket's key alias", () => {
    for (const id of ["network", "registry", "platform", "observability"]) {
      expect(trading[id].terraform.backend.s3.kms_key_id).toBe("alias/tfstate-trading-platform");
    }
    const [alias] = Object.values(resources(state, "aws_kms_alias"));
    expect(alias.name).toBe(stateKmsAliasName("tfstate-trading-platform"));
  });

  test("the bucket's default encryption is that key", () => {
    const [keyId] = Object.keys(resources(state, "aws_kms_key"));
    const [encryption] = Object.values(
      resources(state, "aws_s3_bucket_server_side_encryption_configuration"),
    );
    expect(encryption.rule[0].apply_server_side_encryption_by_default).toEqual({
      sse_algorithm: "aws:kms",
      kms_master_key_id: ref("aws_kms_key", keyId, "arn"),
    });
  });

  test("noncurrent versions expire after 90 days by default and expired delete markers are removed", () => {
    const [lifecycle] = Object.values(resources(state, "aws_s3_bucket_lifecycle_configuration"));
    const rules = lifecycle.rule as Json[];
    expect(rules.find((r) => r.noncurrent_version_expiration)!.noncurrent_version_expiration).toEqual([
      { noncurrent_days: 90 },
    ]);
    expect(rules.find((r) => r.expiration)!.expiration).toEqual([{ expired_object_delete_marker: true }]);
  });

  test("TF_STATE_NONCURRENT_DAYS sets the days", () => {
    const custom = synthApp(configFor("trading", { TF_STATE_NONCURRENT_DAYS: "30" })).stacks.state;
    const [lifecycle] = Object.values(resources(custom, "aws_s3_bucket_lifecycle_configuration"));
    expect((lifecycle.rule as Json[])[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 30 }]);
  });

  test("fails when TF_STATE_NONCURRENT_DAYS is not a number of days", () => {
    expect(() => configFor("trading", { TF_STATE_NONCURRENT_DAYS: "0" })).toThrow(
      /TF_STATE_NONCURRENT_DAYS: "0" is not a number of days/,
    );
  });

  test("the bucket policy stays TLS-only", () => {
    const doc = Object.values(dataSources(state, "aws_iam_policy_document"))[0];
    expect(doc.statement).toEqual([
      expect.objectContaining({
        effect: "Deny",
        condition: [{ test: "Bool", variable: "aws:SecureTransport", values: ["false"] }],
      }),
    ]);
  });
});

describe("bootstrap image", () => {
  test.each([
    ["public.ecr.aws/docker/library/postgres:latest", /must not use the moving tag latest/],
    ["public.ecr.aws/docker/library/postgres", /needs a version tag or an @sha256 digest/],
  ])("fails for %s", (image, message) => {
    expect(() =>
      configFrom(
        blueprintWith("fraud", (bp) => {
          bp.database!.bootstrapImage = image;
        }),
      ),
    ).toThrow(message);
  });
});

test("fails when a service takes the bootstrap task's name", () => {
  expect(() =>
    configFrom(
      blueprintWith("fraud", (bp) => {
        bp.services["db-bootstrap"] = bp.services["fraud-job"];
      }),
    ),
  ).toThrow(/services.db-bootstrap: "db-bootstrap" is reserved for the database bootstrap task/);
});

test("a service whose database user PostgreSQL reserves is refused, naming it", () => {
  for (const service of ["user", "order", "pg-stats"]) {
    expect(() => databaseUserName(service)).toThrow(
      new RegExp(
        `service name ${service} gives the database user ${service.replace(/-/g, "_")}, which PostgreSQL reserves`,
      ),
    );
  }
  expect(databaseUserName("fraud-api")).toBe("fraud_api");
});
