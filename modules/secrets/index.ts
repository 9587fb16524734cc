import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { DataAwsSecretsmanagerSecret } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret";
import { DataAwsKmsKey } from "@cdktf/provider-aws/lib/data-aws-kms-key";
import type { SecretConfig } from "../../config/schema";
import type { Naming } from "../naming";
import { lifecyclePolicy, LifecyclePolicy, statefulLifecycle } from "../lifecycle";
import { ValidationError } from "../errors";

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
  /** What a destroy may take (modules/lifecycle). @default ephemeral */
  readonly lifecycle?: LifecyclePolicy;
}

/**
 * Terraform version that supports what generated secrets use: ephemeral resources (1.10) and
 * write-only attributes (1.11).
 */
export const WRITE_ONLY_TERRAFORM_VERSION = ">= 1.11.0";

/**
 * The application's Secrets Manager secrets. `create` entries become secrets named by the
 * naming module, encrypted with the platform CMK and deleted without a recovery window (so a
 * destroyed environment can be recreated under the same names); with `generate`, a first
 * version holds `{"username","password"}`. The password comes from the provider's *ephemeral*
 * `aws_secretsmanager_random_password` and is written through the write-only
 * `secret_string_wo` (version 1): Terraform never stores it in a plan or the state and never
 * prints it (the data source of the same name kept it as its id, printed in every plan's
 * "Read complete" line). The version number does not change, so later applies write nothing
 * and a rotation is never undone. cdktf 0.21 and @cdktf/provider-aws 21 have no binding for
 * ephemeral resources, so the block is a stack override (Terraform JSON's `ephemeral` key);
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
      throw new ValidationError(`secrets: ${name} is not a configured secret (configured: ${known})`, this);
    }
    return handle;
  }

  private create(
    name: string,
    definition: Extract<SecretConfig, { source: "create" }>,
    props: ApplicationSecretsProps,
  ): SecretHandle {
    const lifecycle = props.lifecycle ?? lifecyclePolicy();
    const secret = new SecretsmanagerSecret(this, name, {
      name: props.naming.name("secret", name),
      description: definition.description,
      kmsKeyId: props.kmsKeyArn,
      // ephemeral: deleted at once, so the next environment with this suffix can reuse the name;
      // persistent: recoverable for 30 days, and prevent_destroy.
      recoveryWindowInDays: lifecycle.secretRecoveryWindowDays,
      lifecycle: statefulLifecycle(lifecycle),
    });
    if (definition.generate) {
      const stack = TerraformStack.of(this);
      const ephemeralName = `${this.node.id}_${name}_password`.replace(/[^a-zA-Z0-9_]/g, "_");
      stack.addOverride(`ephemeral.aws_secretsmanager_random_password.${ephemeralName}`, {
        password_length: GENERATED_PASSWORD_LENGTH,
        exclude_characters: PASSWORD_EXCLUDED_CHARACTERS,
        include_space: false,
        require_each_included_type: true,
      });
      stack.addOverride("terraform.required_version", WRITE_ONLY_TERRAFORM_VERSION);
      const version = new SecretsmanagerSecretVersion(this, `${name}-initial`, {
        secretId: secret.id,
        // Written once: a new version number is the only thing that writes a write-only value again.
        secretStringWoVersion: 1,
        // Both attributes are ForceNew: an environment whose version was written through
        // secret_string (before write-only) would otherwise get a new random value as
        // AWSCURRENT on its next apply, over whatever an operator had put there since.
        lifecycle: { ignoreChanges: ["secret_string", "secret_string_wo_version"] },
      });
      // A raw expression: a literal string inside Fn.jsonencode would be escaped (`$${`), and
      // cdktf has no public token for an ephemeral resource's attribute.
      version.addOverride(
        "secret_string_wo",
        `\${jsonencode({ username = "${GENERATED_SECRET_USERNAME}", password = ephemeral.aws_secretsmanager_random_password.${ephemeralName}.random_password })}`,
      );
    }
    return { name, arn: secret.arn, kmsKeyArn: props.kmsKeyArn, source: "create" };
  }

  private lookup(name: string, definition: Extract<SecretConfig, { source: "lookup" }>): SecretHandle {
    // What can be known only at plan time is checked then. DescribeSecret reports the secret's
    // key as a key id or alias ARN, and omits it for the AWS-managed key aws/secretsmanager: a
    // CMK with no declared key, or a declared key that is not the secret's, fails the plan
    // (tasks would otherwise fail to start without kms:Decrypt on the real key).
    const declared = definition.kmsKeyArn;
    const field = `secrets.${name}.kmsKeyArn`;
    const secret = new DataAwsSecretsmanagerSecret(this, name, {
      name: definition.name,
      lifecycle: {
        postcondition: [
          declared
            ? {
                condition: '${self.kms_key_id != null && self.kms_key_id != ""}',
                errorMessage: `${field}: ${declared} is given, but ${definition.name} is encrypted with the AWS-managed key aws/secretsmanager; remove kmsKeyArn`,
              }
            : {
                condition: '${self.kms_key_id == null || self.kms_key_id == ""}',
                errorMessage: `${field}: ${definition.name} is encrypted with a customer-managed key and none is given; set kmsKeyArn to that key's ARN so the roles that read it get kms:Decrypt`,
              },
        ],
      },
    });
    if (declared) {
      // Resolves a key id or alias ARN to the key's ARN (needs kms:DescribeKey on it at plan time).
      new DataAwsKmsKey(this, `${name}-key`, {
        keyId: secret.kmsKeyId,
        lifecycle: {
          postcondition: [
            {
              condition: `\${self.arn == "${declared}"}`,
              errorMessage: `${field}: ${definition.name} is not encrypted with ${declared}; set kmsKeyArn to the ARN of the key that encrypts it`,
            },
          ],
        },
      });
    }
    return { name, arn: secret.arn, kmsKeyArn: definition.kmsKeyArn, source: "lookup" };
  }
}
