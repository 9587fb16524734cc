import "cdktf/lib/testing/adapters/jest";
import { Naming } from "../../modules/naming";
import { PlatformKmsKey } from "../../modules/kms-key";
import { Json, only, probe, probed, ref, statements, synthScope } from "./synth-scope";

describe("kms-key", () => {
  let key!: PlatformKmsKey;
  const json = synthScope((scope) => {
    key = new PlatformKmsKey(scope, "kms", { naming: new Naming("trading", "test"), region: "eu-central-1" });
    probe(scope, "key_arn", key.keyArn);
    probe(scope, "key_id", key.keyId);
  });
  const kmsKey = only(json, "aws_kms_key");
  const doc = only(json, "aws_iam_policy_document", "data");
  const byId = statements(doc);
  const account = ref(
    "aws_caller_identity",
    only(json, "aws_caller_identity", "data").id,
    "account_id",
    "data",
  );
  const partition = ref("aws_partition", only(json, "aws_partition", "data").id, "partition", "data");

  test("rotates yearly and is deleted after the shortest window", () => {
    expect(kmsKey.enable_key_rotation).toBe(true);
    expect(kmsKey.deletion_window_in_days).toBe(7);
  });

  test("takes its policy from the policy document", () => {
    expect(kmsKey.policy).toBe(ref("aws_iam_policy_document", doc.id, "json", "data"));
  });

  test("has an alias from the naming module on the key", () => {
    expect(only(json, "aws_kms_alias")).toMatchObject({
      name: "alias/kms-trading-test",
      target_key_id: ref("aws_kms_key", kmsKey.id, "key_id"),
    });
    expect(key.aliasName).toBe("alias/kms-trading-test");
  });

  test("exposes the key ARN and id as references", () => {
    expect(probed(json, "key_arn")).toBe(ref("aws_kms_key", kmsKey.id, "arn"));
    expect(probed(json, "key_id")).toBe(ref("aws_kms_key", kmsKey.id, "key_id"));
  });

  test("gives the account root full access so IAM policies can grant use of the key", () => {
    expect(byId.AccountRootFullAccess).toMatchObject({
      actions: ["kms:*"],
      principals: [{ type: "AWS", identifiers: [`arn:${partition}:iam::${account}:root`] }],
    });
  });

  test("lets CloudWatch Logs of the region use the key only for this account's log groups", () => {
    const logs: Json = byId.CloudWatchLogsOfThisAccount;
    expect(logs.principals[0].type).toBe("Service");
    expect(logs.principals[0].identifiers[0]).toMatch(
      /^logs\.eu-central-1\.\$\{data\.aws_partition\.\w+\.dns_suffix\}$/,
    );
    expect(logs.actions).toEqual(
      expect.arrayContaining(["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"]),
    );
    expect(logs.condition).toEqual([
      {
        test: "ArnLike",
        variable: "kms:EncryptionContext:aws:logs:arn",
        values: [`arn:${partition}:logs:eu-central-1:${account}:log-group:*`],
      },
    ]);
  });

  test("grants nothing beyond the root and logs statements (no CloudWatch alarms statement: the alarm topic has its own key)", () => {
    expect(Object.keys(byId).sort()).toEqual(["AccountRootFullAccess", "CloudWatchLogsOfThisAccount"]);
  });

  test("viaService scopes a statement to calls through one service of the region", () => {
    const condition = key.viaService("secretsmanager");
    expect(condition.test).toBe("StringEquals");
    expect(condition.variable).toBe("kms:ViaService");
    expect(condition.values[0]).toMatch(/^secretsmanager\.eu-central-1\.\$\{/);
  });
});

describe("kms-key no log group uses", () => {
  test("has no CloudWatch Logs statement", () => {
    const json = synthScope((scope) => {
      new PlatformKmsKey(scope, "kms", {
        naming: new Naming("fintech", "test"),
        region: "eu-central-1",
        aliasSubject: "fintech-sc-tls",
        cloudWatchLogs: false,
      });
    });
    expect(Object.keys(statements(only(json, "aws_iam_policy_document", "data")))).toEqual([
      "AccountRootFullAccess",
    ]);
  });
});
