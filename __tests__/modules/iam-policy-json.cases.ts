import { identityPolicyJson, POLICY_VERSION } from "../../modules/iam-policy-json";

describe("identityPolicyJson", () => {
  test("writes IAM's policy JSON: version, effect, actions, resources, conditions by operator", () => {
    const json = JSON.parse(
      identityPolicyJson([
        { sid: "Read", actions: ["s3:GetObject"], resources: ["arn:aws:s3:::b/*"] },
        {
          sid: "Decrypt",
          effect: "Allow",
          actions: ["kms:Decrypt"],
          resources: ["arn:aws:kms:eu-west-1:111111111111:key/k"],
          condition: [
            { test: "StringEquals", variable: "kms:ViaService", values: ["s3.eu-west-1.amazonaws.com"] },
            { test: "StringEquals", variable: "aws:SourceAccount", values: ["111111111111"] },
            { test: "ArnLike", variable: "aws:SourceArn", values: ["arn:aws:s3:::b"] },
          ],
        },
        { effect: "Deny", notActions: ["s3:GetObject"], notResources: ["arn:aws:s3:::b/*"] },
      ]),
    );
    expect(json).toEqual({
      Version: POLICY_VERSION,
      Statement: [
        { Sid: "Read", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["arn:aws:s3:::b/*"] },
        {
          Sid: "Decrypt",
          Effect: "Allow",
          Action: ["kms:Decrypt"],
          Resource: ["arn:aws:kms:eu-west-1:111111111111:key/k"],
          Condition: {
            StringEquals: {
              "kms:ViaService": ["s3.eu-west-1.amazonaws.com"],
              "aws:SourceAccount": ["111111111111"],
            },
            ArnLike: { "aws:SourceArn": ["arn:aws:s3:::b"] },
          },
        },
        { Effect: "Deny", NotAction: ["s3:GetObject"], NotResource: ["arn:aws:s3:::b/*"] },
      ],
    });
    expect(POLICY_VERSION).toBe("2012-10-17");
  });

  test.each([
    [[], "an IAM policy needs at least one statement"],
    [
      [{ sid: "Trust", actions: ["sts:AssumeRole"], principals: [{ type: "Service", identifiers: ["x"] }] }],
      "IAM statement Trust: an identity policy names no principal; use a policy document for trust and resource policies",
    ],
    [[{ sid: "NoAction", resources: ["*"] }], "IAM statement NoAction: it names no action"],
    [[{ sid: "NoResource", actions: ["s3:GetObject"] }], "IAM statement NoResource: it names no resource"],
    [
      [{ sid: "Odd", effect: "Maybe", actions: ["s3:GetObject"], resources: ["*"] }],
      'IAM statement Odd: effect "Maybe" is not allowed: use Allow or Deny',
    ],
    [
      [
        {
          sid: "Twice",
          actions: ["s3:GetObject"],
          resources: ["*"],
          condition: [
            { test: "StringEquals", variable: "aws:SourceAccount", values: ["1"] },
            { test: "StringEquals", variable: "aws:SourceAccount", values: ["2"] },
          ],
        },
      ],
      "IAM statement Twice: condition StringEquals on aws:SourceAccount is given twice",
    ],
  ])("refuses a policy IAM would reject or misread (%#)", (statements, message) => {
    expect(() => identityPolicyJson(statements)).toThrow(message);
  });
});
