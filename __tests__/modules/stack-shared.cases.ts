import { App, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { awsContext, sharedPolicyDocument } from "../../modules/stack-shared";

function stack(id = "s"): TerraformStack {
  const s = new TerraformStack(Testing.app() as App, id);
  new AwsProvider(s, "aws", { region: "eu-west-1" });
  return s;
}

const trust = (accountId: string) => ({
  statement: [
    {
      actions: ["sts:AssumeRole"],
      principals: [{ type: "Service", identifiers: ["ecs-tasks.amazonaws.com"] }],
      condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [accountId] }],
    },
  ],
});

describe("awsContext", () => {
  test("creates one account, partition and region lookup per stack, at the stack root", () => {
    const s = stack();
    const a = new Construct(s, "a");
    const b = new Construct(new Construct(s, "b"), "deeper");
    expect(awsContext(a)).toBe(awsContext(b));
    const { accountId, partition, region } = awsContext(b);
    expect([accountId, partition, region]).toEqual([
      awsContext(a).accountId,
      awsContext(a).partition,
      awsContext(a).region,
    ]);
    const json = JSON.parse(Testing.synth(s));
    expect(Object.keys(json.data.aws_caller_identity)).toEqual(["account"]);
    expect(Object.keys(json.data.aws_partition)).toEqual(["partition"]);
    expect(Object.keys(json.data.aws_region)).toEqual(["region"]);
    expect(awsContext(a)).toEqual({
      accountId: expect.stringContaining("TfToken"),
      partition: expect.stringContaining("TfToken"),
      region: expect.stringContaining("TfToken"),
    });
  });

  test("creates only the lookups a stack reads", () => {
    const s = stack();
    expect(awsContext(s).accountId).toContain("TfToken");
    const json = JSON.parse(Testing.synth(s));
    expect(Object.keys(json.data)).toEqual(["aws_caller_identity"]);
  });

  test("gives each stack its own lookups", () => {
    const s1 = stack("one");
    const s2 = new TerraformStack(s1.node.scope as App, "two");
    expect(awsContext(s1).accountId).not.toBe(awsContext(s2).accountId);
  });

  test("refuses a stack whose root already has another construct under a lookup's id", () => {
    const s = stack();
    new S3Bucket(s, "account", { bucketPrefix: "x" });
    expect(() => awsContext(s).accountId).toThrow(
      'stack "s" already has a construct "account" that is not a DataAwsCallerIdentity: the shared DataAwsCallerIdentity needs that id at the stack root',
    );
  });
});

describe("sharedPolicyDocument", () => {
  test("returns one document for every caller passing the same statements", () => {
    const s = stack();
    const { accountId } = awsContext(s);
    const first = sharedPolicyDocument(new Construct(s, "svc-a"), "ecs-tasks-trust", trust(accountId));
    const second = sharedPolicyDocument(new Construct(s, "svc-b"), "ecs-tasks-trust", trust(accountId));
    expect(second).toBe(first);
    const json = JSON.parse(Testing.synth(s));
    expect(Object.keys(json.data.aws_iam_policy_document)).toEqual(["ecs-tasks-trust"]);
  });

  test("refuses other statements under an id already taken", () => {
    const s = stack();
    sharedPolicyDocument(s, "ecs-tasks-trust", trust("111111111111"));
    expect(() => sharedPolicyDocument(s, "ecs-tasks-trust", trust("222222222222"))).toThrow(
      'shared policy document "ecs-tasks-trust" of stack "s" was created with other statements: a different document needs its own id',
    );
  });
});
