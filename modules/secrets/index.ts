import { Construct } from "constructs";
import { Fn } from "cdktf";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { DataAwsSecretsmanagerSecret } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret";
import { DataAwsSecretsmanagerRandomPassword } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-random-password";
import type { SecretConfig } from "../../config/schema";
import type { Naming } from "../naming";

/** User name stored next to a generated password (`{"username": ..., "password": ...}`). */
export const GENERATED_SECRET_USERNAME = "app";
/** Length of generated passwords. */
export const GENERATED_PASSWORD_LENGTH = 32;
/**
 * Characters left out of generated passwords: RDS/PostgreSQL reject `/`, `@`, `"` and space in
 * master passwords, and `'`/`\` break connection strings and shell quoting.
 */
export const PASSWORD_EXCLUDED_CHARACTERS = "/@\"'\\";

export interface SecretHandle {
  /** Name in the config (`secrets.<name>`). */
  readonly name: string;
  /** Secrets Manager secret ARN (what a task definition's `secrets[].valueFrom` takes). */
  readonly arn: string;
  /**
   * Customer-managed key that encrypts the secret (roles reading it need `kms:Decrypt` on it);
   * undefined when the secret uses the AWS-managed key `aws/secretsmanager`.
   */
  readonly kmsKeyArn?: string;
  /** Created by this app (`create`) or an existing secret (`lookup`). */
  readonly source: SecretConfig["source"];
}

export interface ApplicationSecretsProps {
  readonly naming: Naming;
  /** `config.secrets`: secret name → definition. */
  readonly secrets: Readonly<Record<string, SecretConfig>>;
  /** ARN of the customer-managed key that encrypts created secrets. */
  readonly kmsKeyArn: string;
}

/**
 * The application's Secrets Manager secrets. `create` entries become secrets named by the
 * naming module, encrypted with the platform CMK and deleted without a recovery window (so a
 * destroyed environment can be recreated under the same names); with `generate`, a first
 * version holds `{"username","password"}` from the provider's `aws_secretsmanager_random_password`
 * data source (only the aws provider is available), and Terraform ignores later changes to
 * the value so neither a new random password nor a rotation is undone on the next apply.
 * `lookup` entries read an existing secret by name.
 */
export class ApplicationSecrets extends Construct {
  /** Secret name in the config → handle. */
  readonly secrets: Readonly<Record<string, SecretHandle>>;

  constructor(scope: Construct, id: string, props: ApplicationSecretsProps) {
    super(scope, id);
    const handles: Record<string, SecretHandle> = {};
    for (const [name, definition] of Object.entries(props.secrets)) {
      handles[name] =
        definition.source === "create" ? this.create(name, definition, props) : this.lookup(name, definition);
    }
    this.secrets = handles;
  }

  /** The handle of a configured secret; fails naming the secrets that exist. */
  get(name: string): SecretHandle {
    const handle = this.secrets[name];
    if (!handle) {
      const known = Object.keys(this.secrets).join(", ") || "none";
      throw new Error(`secrets: ${name} is not a configured secret (configured: ${known})`);
    }
    return handle;
  }

  private create(
    name: string,
    definition: Extract<SecretConfig, { source: "create" }>,
    props: ApplicationSecretsProps,
  ): SecretHandle {
    const secret = new SecretsmanagerSecret(this, name, {
      name: props.naming.name("secret", name),
      description: definition.description,
      kmsKeyId: props.kmsKeyArn,
      recoveryWindowInDays: 0,
    });
    if (definition.generate) {
      const password = new DataAwsSecretsmanagerRandomPassword(this, `${name}-password`, {
        passwordLength: GENERATED_PASSWORD_LENGTH,
        excludeCharacters: PASSWORD_EXCLUDED_CHARACTERS,
        includeSpace: false,
        requireEachIncludedType: true,
      });
      new SecretsmanagerSecretVersion(this, `${name}-initial`, {
        secretId: secret.id,
        secretString: Fn.jsonencode({
          username: GENERATED_SECRET_USERNAME,
          password: password.randomPassword,
        }),
        // The data source yields a new password on every plan; only the first one is written.
        lifecycle: { ignoreChanges: ["secret_string"] },
      });
    }
    return { name, arn: secret.arn, kmsKeyArn: props.kmsKeyArn, source: "create" };
  }

  private lookup(name: string, definition: Extract<SecretConfig, { source: "lookup" }>): SecretHandle {
    const secret = new DataAwsSecretsmanagerSecret(this, name, { name: definition.name });
    return { name, arn: secret.arn, kmsKeyArn: definition.kmsKeyArn, source: "lookup" };
  }
}
