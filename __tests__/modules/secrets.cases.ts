import "cdktf/lib/testing/adapters/jest";
import { Naming } from "../../modules/naming";
import { ApplicationSecrets, PASSWORD_EXCLUDED_CHARACTERS } from "../../modules/secrets";
import { PlatformKmsKey } from "../../modules/kms-key";
import { all, Json, only, probe, probed, ref, synthScope } from "./synth-scope";

const KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/platform";
const LOOKUP_KEY = "arn:aws:kms:us-east-1:111122223333:key/upstream";

describe("secrets", () => {
  let secrets!: ApplicationSecrets;
  const json = synthScope((scope) => {
    secrets = new ApplicationSecrets(scope, "secrets", {
      naming: new Naming("trading", "test"),
      kmsKeyArn: KEY_ARN,
      secrets: {
        "db-credentials": { source: "create", description: "Database credentials", generate: true },
        "api-keys": { source: "create", description: "API keys", generate: false },
        upstream: { source: "lookup", name: "shared/upstream", kmsKeyArn: LOOKUP_KEY },
        legacy: { source: "lookup", name: "shared/legacy" },
      },
    });
    for (const [name, handle] of Object.entries(secrets.secrets)) probe(scope, `arn_${name}`, handle.arn);
  });
  const created = Object.entries(all(json, "aws_secretsmanager_secret"));
  const byName = (name: string): [string, Json] => {
    const hit = created.find(([, s]) => s.name === name);
    if (!hit) throw new Error(`no secret named ${name}`);
    return hit;
  };
  const versions = Object.values(all(json, "aws_secretsmanager_secret_version"));
  const lookups = Object.entries(all(json, "aws_secretsmanager_secret", "data"));

  test("creates one secret per create entry, named by the naming module", () => {
    expect(created.map(([, s]) => s.name).sort()).toEqual([
      "secret-trading-api-keys-test",
      "secret-trading-db-credentials-test",
    ]);
  });

  test("created secrets are encrypted with the platform key", () => {
    for (const [, s] of created) expect(s.kms_key_id).toBe(KEY_ARN);
  });

  test("created secrets are deleted without a recovery window so names can be reused", () => {
    for (const [, s] of created) expect(s.recovery_window_in_days).toBe(0);
  });

  const ephemeral = (): [string, Json][] =>
    Object.entries(json.ephemeral?.aws_secretsmanager_random_password ?? {});

  test("a generated secret gets one version written through the write-only attribute from an ephemeral password", () => {
    const [id] = byName("secret-trading-db-credentials-test");
    expect(versions).toHaveLength(1);
    const [[password]] = ephemeral();
    expect(versions[0].secret_id).toBe(ref("aws_secretsmanager_secret", id, "id"));
    expect(versions[0].secret_string).toBeUndefined();
    expect(versions[0].secret_string_wo).toBe(
      `\${jsonencode({ username = "app", password = ephemeral.aws_secretsmanager_random_password.${password}.random_password })}`,
    );
  });

  test("the generated value is written once: its write-only version stays 1", () => {
    expect(versions[0].secret_string_wo_version).toBe(1);
  });

  test("an existing version (written before write-only) is kept, not replaced by a new random value", () => {
    // secret_string and secret_string_wo_version are both ForceNew in the provider.
    expect(versions[0].lifecycle).toEqual({ ignore_changes: ["secret_string", "secret_string_wo_version"] });
  });

  test("no random password data source (its id would print the password in every plan)", () => {
    expect(all(json, "aws_secretsmanager_random_password", "data")).toEqual({});
    expect(ephemeral()).toHaveLength(1);
  });

  test("the stack requires Terraform 1.11 (write-only attributes)", () => {
    expect(json.terraform.required_version).toBe(">= 1.11.0");
  });

  test("generated passwords avoid the characters RDS and connection strings reject", () => {
    const [[, password]] = ephemeral();
    expect(password).toMatchObject({ password_length: 32, include_space: false });
    expect(password.exclude_characters).toBe(PASSWORD_EXCLUDED_CHARACTERS);
    for (const c of ["/", "@", '"']) expect(password.exclude_characters).toContain(c);
  });

  test("a lookup without a key fails the plan when the secret has a customer-managed key", () => {
    const [, legacy] = lookups.find(([, d]) => d.name === "shared/legacy")!;
    expect(legacy.lifecycle.postcondition).toEqual([
      {
        condition: '${self.kms_key_id == null || self.kms_key_id == ""}',
        error_message: expect.stringMatching(
          /^secrets\.legacy\.kmsKeyArn: shared\/legacy is encrypted with a customer-managed key and none is given/,
        ),
      },
    ]);
  });

  test("a lookup with a key fails the plan when the secret uses the AWS-managed key", () => {
    const [, upstream] = lookups.find(([, d]) => d.name === "shared/upstream")!;
    expect(upstream.lifecycle.postcondition[0].condition).toBe(
      '${self.kms_key_id != null && self.kms_key_id != ""}',
    );
  });

  test("a lookup with a key resolves the secret's key (id or alias) and fails the plan when it is another", () => {
    const [upstreamId] = lookups.find(([, d]) => d.name === "shared/upstream")!;
    const keys = Object.values(all(json, "aws_kms_key", "data"));
    expect(keys).toEqual([
      expect.objectContaining({
        key_id: ref("aws_secretsmanager_secret", upstreamId, "kms_key_id", "data"),
        lifecycle: {
          postcondition: [
            {
              condition: `\${self.arn == "${LOOKUP_KEY}"}`,
              error_message: `secrets.upstream.kmsKeyArn: shared/upstream is not encrypted with ${LOOKUP_KEY}; set kmsKeyArn to the ARN of the key that encrypts it`,
            },
          ],
        },
      }),
    ]);
  });

  test("a lookup entry reads the existing secret by name and creates nothing", () => {
    expect(lookups.map(([, d]) => d.name).sort()).toEqual(["shared/legacy", "shared/upstream"]);
  });

  test("handles carry the ARN of the created secret", () => {
    const [id] = byName("secret-trading-db-credentials-test");
    expect(probed(json, "arn_db-credentials")).toBe(ref("aws_secretsmanager_secret", id, "arn"));
  });

  test("handles carry the ARN of the looked-up secret", () => {
    const [id] = lookups.find(([, d]) => d.name === "shared/upstream")!;
    expect(probed(json, "arn_upstream")).toBe(ref("aws_secretsmanager_secret", id, "arn", "data"));
  });

  test("a created secret's key is the platform key", () => {
    expect(secrets.get("db-credentials")).toMatchObject({ kmsKeyArn: KEY_ARN, source: "create" });
  });

  test("a looked-up secret's key is the configured one, or none for the AWS-managed key", () => {
    expect(secrets.get("upstream")).toMatchObject({ kmsKeyArn: LOOKUP_KEY, source: "lookup" });
    expect(secrets.get("legacy").kmsKeyArn).toBeUndefined();
  });

  test("fails when a secret that is not configured is asked for", () => {
    expect(() => secrets.get("missing")).toThrow(
      /missing is not a configured secret \(configured: db-credentials, api-keys, upstream, legacy\)/,
    );
  });
});

describe("secrets without entries", () => {
  test("fails naming none when asked for any secret", () => {
    let secrets!: ApplicationSecrets;
    synthScope((scope) => {
      secrets = new ApplicationSecrets(scope, "secrets", {
        naming: new Naming("trading", "test"),
        kmsKeyArn: KEY_ARN,
        secrets: {},
      });
    });
    expect(() => secrets.get("db")).toThrow(/configured: none/);
  });
});

describe("secrets with the platform key", () => {
  test("created secrets reference the platform key's ARN", () => {
    const json = synthScope((scope) => {
      const naming = new Naming("trading", "test");
      const key = new PlatformKmsKey(scope, "kms", { naming, region: "us-east-1" });
      new ApplicationSecrets(scope, "secrets", {
        naming,
        kmsKeyArn: key.keyArn,
        secrets: {
          "db-credentials": { source: "create", description: "Database credentials", generate: false },
        },
      });
    });
    const keyId = only(json, "aws_kms_key").id;
    expect(only(json, "aws_secretsmanager_secret").kms_key_id).toBe(ref("aws_kms_key", keyId, "arn"));
  });
});
