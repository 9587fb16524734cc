import "cdktf/lib/testing/adapters/jest";
import { DatabaseSchema } from "../../config/schema";
import type { BlueprintInput } from "../../config/schema";
import { Naming } from "../../modules/naming";
import { AuroraDatabase, AuroraDatabaseProps } from "../../modules/database";
import { PlatformKmsKey } from "../../modules/kms-key";
import { all, only, probe, probed, ref, synthScope } from "./synth-scope";

const SUBNETS = ["subnet-db-a", "subnet-db-b", "subnet-db-c"];
const KEY_ARN = "arn:aws:kms:eu-central-1:111122223333:key/platform";

function props(
  db: NonNullable<BlueprintInput["database"]>,
  extra: Partial<AuroraDatabaseProps> = {},
): AuroraDatabaseProps {
  return {
    naming: new Naming("fraud", "test"),
    config: DatabaseSchema.parse(db),
    vpcId: "vpc-123",
    subnetIds: SUBNETS,
    kmsKeyArn: KEY_ARN,
    ...extra,
  };
}

describe("database: Aurora Serverless v2 wired to the platform key", () => {
  let db!: AuroraDatabase;
  const json = synthScope((scope) => {
    const naming = new Naming("fraud", "test");
    const key = new PlatformKmsKey(scope, "kms", { naming, region: "eu-central-1" });
    db = new AuroraDatabase(
      scope,
      "db",
      props(
        { engineVersion: "16.6", databaseName: "fraud", minCapacity: 0.5, maxCapacity: 4, rotationDays: 30 },
        { naming, kmsKeyArn: key.keyArn, allowedSecurityGroups: { "fraud-api": "sg-api" } },
      ),
    );
    db.allowFrom("fraud-worker", "sg-worker");
    probe(scope, "endpoint", db.endpoint);
    probe(scope, "reader", db.readerEndpoint);
    probe(scope, "secret", db.masterSecretArn);
    probe(scope, "sg", db.securityGroupId);
    probe(scope, "identifier", db.clusterIdentifier);
  });
  const cluster = only(json, "aws_rds_cluster");
  const keyArn = ref("aws_kms_key", only(json, "aws_kms_key").id, "arn");
  const sg = only(json, "aws_security_group");
  const instances = Object.values(all(json, "aws_rds_cluster_instance"));
  const ingress = Object.values(all(json, "aws_vpc_security_group_ingress_rule"));

  test("is Aurora PostgreSQL of the configured version and database name", () => {
    expect(cluster).toMatchObject({
      cluster_identifier: "aurora-fraud-test",
      engine: "aurora-postgresql",
      engine_mode: "provisioned",
      engine_version: "16.6",
      database_name: "fraud",
      port: 5432,
    });
  });

  test("encrypts storage with the platform key", () => {
    expect(cluster).toMatchObject({ storage_encrypted: true, kms_key_id: keyArn });
  });

  test("lets RDS manage the master password in a secret encrypted with the platform key", () => {
    expect(cluster).toMatchObject({
      manage_master_user_password: true,
      master_user_secret_kms_key_id: keyArn,
    });
    expect(cluster.master_password).toBeUndefined();
  });

  test("can be destroyed: no final snapshot, no deletion protection, minimal backups", () => {
    expect(cluster).toMatchObject({
      skip_final_snapshot: true,
      deletion_protection: false,
      backup_retention_period: 1,
    });
  });

  test("lives in the isolated subnets through its subnet group", () => {
    const group = only(json, "aws_db_subnet_group");
    expect(group).toMatchObject({ name: "dbsubnets-fraud-test", subnet_ids: SUBNETS });
    expect(cluster.db_subnet_group_name).toBe(ref("aws_db_subnet_group", group.id, "name"));
  });

  test("scales with Serverless v2 between the configured capacities", () => {
    expect(cluster.serverlessv2_scaling_configuration).toEqual({ min_capacity: 0.5, max_capacity: 4 });
  });

  test("its instances are db.serverless members of the cluster", () => {
    expect(instances).toHaveLength(1);
    expect(instances[0]).toMatchObject({
      identifier: "aurora-db-fraud-1-test",
      cluster_identifier: ref("aws_rds_cluster", cluster.id, "id"),
      instance_class: "db.serverless",
      engine: ref("aws_rds_cluster", cluster.id, "engine"),
      publicly_accessible: false,
    });
  });

  test("rotates the RDS-managed master secret on the configured schedule", () => {
    const rotation = only(json, "aws_secretsmanager_secret_rotation");
    expect(rotation).toMatchObject({
      secret_id: `\${aws_rds_cluster.${cluster.id}.master_user_secret[0].secret_arn}`,
      rotation_rules: { automatically_after_days: 30 },
      rotate_immediately: false,
    });
    // Managed rotation: RDS rotates the secret, no Lambda is involved.
    expect(rotation.rotation_lambda_arn).toBeUndefined();
  });

  test("its security group admits the database port only from the given service groups", () => {
    expect(cluster.vpc_security_group_ids).toEqual([ref("aws_security_group", sg.id, "id")]);
    expect(
      ingress
        .map((r) => `${r.ip_protocol} ${r.from_port}-${r.to_port} ${r.referenced_security_group_id}`)
        .sort(),
    ).toEqual(["tcp 5432-5432 sg-api", "tcp 5432-5432 sg-worker"]);
    for (const r of ingress) {
      expect(r.security_group_id).toBe(ref("aws_security_group", sg.id, "id"));
      expect(r.cidr_ipv4).toBeUndefined();
    }
  });

  test("its security group has no egress", () => {
    expect(all(json, "aws_vpc_security_group_egress_rule")).toEqual({});
    expect(sg.egress).toBeUndefined();
  });

  test("exposes endpoints, master secret, identifier and security group as references", () => {
    expect(probed(json, "endpoint")).toBe(ref("aws_rds_cluster", cluster.id, "endpoint"));
    expect(probed(json, "reader")).toBe(ref("aws_rds_cluster", cluster.id, "reader_endpoint"));
    expect(probed(json, "secret")).toBe(`\${aws_rds_cluster.${cluster.id}.master_user_secret[0].secret_arn}`);
    expect(probed(json, "identifier")).toBe(ref("aws_rds_cluster", cluster.id, "cluster_identifier"));
    expect(probed(json, "sg")).toBe(ref("aws_security_group", sg.id, "id"));
    expect(db.port).toBe(5432);
  });
});

describe("database: provisioned instances", () => {
  const json = synthScope((scope) => {
    new AuroraDatabase(
      scope,
      "db",
      props({
        mode: "provisioned",
        instanceClass: "db.r6g.large",
        instances: 2,
        port: 6432,
        backupRetentionDays: 3,
      }),
    );
  });
  const cluster = only(json, "aws_rds_cluster");
  const instances = Object.values(all(json, "aws_rds_cluster_instance"));

  test("has no Serverless v2 scaling", () => {
    expect(cluster.serverlessv2_scaling_configuration).toBeUndefined();
  });

  test("creates the configured number of instances of the configured class", () => {
    expect(instances.map((i) => `${i.identifier} ${i.instance_class}`).sort()).toEqual([
      "aurora-db-fraud-1-test db.r6g.large",
      "aurora-db-fraud-2-test db.r6g.large",
    ]);
  });

  test("uses the configured port and backup retention", () => {
    expect(cluster).toMatchObject({ port: 6432, backup_retention_period: 3 });
  });

  test("admits nobody until services are allowed", () => {
    expect(all(json, "aws_vpc_security_group_ingress_rule")).toEqual({});
  });
});

describe("database validation", () => {
  test("fails when fewer than two subnets are given", () => {
    expect(() =>
      synthScope((scope) => {
        new AuroraDatabase(scope, "db", props({}, { subnetIds: ["subnet-db-a"] }));
      }),
    ).toThrow(/1 subnet\(s\) given; an RDS DB subnet group needs subnets in at least two AZs/);
  });

  const build = (db: NonNullable<BlueprintInput["database"]>) => () =>
    synthScope((scope) => {
      new AuroraDatabase(scope, "db", props(db));
    });

  test("fails when a Serverless v2 capacity is not a multiple of 0.5 ACU", () => {
    expect(build({ minCapacity: 0.75, maxCapacity: 4 })).toThrow(
      /database\.minCapacity: 0\.75 is not an Aurora Serverless v2 capacity \(0 to 256 ACUs in steps of 0\.5\)/,
    );
    expect(build({ minCapacity: 1, maxCapacity: 4.2 })).toThrow(/database\.maxCapacity: 4\.2 is not/);
  });

  test("fails when 0 ACUs is asked of a version that cannot pause", () => {
    expect(build({ engineVersion: "15.4", minCapacity: 0 })).toThrow(
      /database\.minCapacity: 0 \(automatic pause\) needs Aurora PostgreSQL 13\.15, 14\.12, 15\.7, 16\.3 or later; engineVersion is 15\.4/,
    );
    expect(build({ engineVersion: "12.9", minCapacity: 0 })).toThrow(/engineVersion is 12\.9/);
  });

  test("accepts 0 ACUs from the first version that pauses, and on later majors", () => {
    expect(build({ engineVersion: "16.3", minCapacity: 0 })).not.toThrow();
    expect(build({ engineVersion: "17.4", minCapacity: 0 })).not.toThrow();
  });

  test("does not check ACUs of provisioned clusters", () => {
    expect(build({ mode: "provisioned", minCapacity: 0.75 })).not.toThrow();
  });
});
