import "cdktf/lib/testing/adapters/jest";
import { Naming } from "../../modules/naming";
import { ServiceConnectCa } from "../../modules/service-connect-ca";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { all, Json, only, probe, probed, ref, statements, synthScope } from "./synth-scope";

const KEY = "arn:aws:kms:us-east-1:111122223333:key/platform";

describe("service-connect-ca", () => {
  let ca!: ServiceConnectCa;
  const json = synthScope((scope) => {
    ca = new ServiceConnectCa(scope, "ca", { naming: new Naming("fintech", "test"), kmsKeyArn: KEY });
    probe(scope, "ca_arn", ca.caArn);
    probe(scope, "role_arn", ca.tlsRoleArn);
    // Stands in for an ECS service with TLS, which must wait for the CA to be usable.
    new IamRole(scope, "consumer", { name: "consumer", assumeRolePolicy: "{}", dependsOn: ca.dependables });
  });
  const authority = only(json, "aws_acmpca_certificate_authority");
  const root = only(json, "aws_acmpca_certificate");
  const installed = only(json, "aws_acmpca_certificate_authority_certificate");
  const role = Object.entries(all(json, "aws_iam_role"))
    .filter(([, r]) => r.name !== "consumer")
    .map(([id, r]): Json => ({ ...r, id }))[0];
  const consumer = Object.values(all(json, "aws_iam_role")).find((r) => r.name === "consumer")!;
  const partition = ref("aws_partition", only(json, "aws_partition", "data").id, "partition", "data");
  const documents = all(json, "aws_iam_policy_document", "data");
  const documentId = (sid: string) =>
    Object.keys(documents).find((id) => (documents[id].statement as Json[]).some((s) => s.sid === sid))!;
  const trustId = documentId("EcsInfrastructure");
  const keyPolicy = only(json, "aws_iam_role_policy");

  test("is a root CA in short-lived certificate mode, deleted after 7 days", () => {
    expect(authority).toMatchObject({
      type: "ROOT",
      usage_mode: "SHORT_LIVED_CERTIFICATE",
      permanent_deletion_time_in_days: 7,
    });
  });

  test("uses a 256-bit ECDSA key, one of the two key types Service Connect TLS accepts", () => {
    expect(authority.certificate_authority_configuration).toMatchObject({
      key_algorithm: "EC_prime256v1",
      signing_algorithm: "SHA256WITHECDSA",
      subject: { common_name: "pca-fintech-test" },
    });
  });

  test("is tagged AmazonECSManaged=true, which the ECS TLS managed policy requires to issue", () => {
    expect(authority.tags).toEqual({ Name: "pca-fintech-test", AmazonECSManaged: "true" });
  });

  test("its root certificate is self-signed from the CA's own CSR with the root template", () => {
    expect(root).toMatchObject({
      certificate_authority_arn: ref("aws_acmpca_certificate_authority", authority.id, "arn"),
      certificate_signing_request: ref(
        "aws_acmpca_certificate_authority",
        authority.id,
        "certificate_signing_request",
      ),
      signing_algorithm: "SHA256WITHECDSA",
      template_arn: `arn:${partition}:acm-pca:::template/RootCACertificate/V1`,
      validity: { type: "YEARS", value: "10" },
    });
  });

  test("the root certificate is installed in the CA, which activates it", () => {
    expect(installed).toMatchObject({
      certificate_authority_arn: ref("aws_acmpca_certificate_authority", authority.id, "arn"),
      certificate: ref("aws_acmpca_certificate", root.id, "certificate"),
      certificate_chain: ref("aws_acmpca_certificate", root.id, "certificate_chain"),
    });
  });

  test("the TLS role can be assumed only by ECS", () => {
    const trust = statements(documents[trustId]);
    expect(Object.values(trust)).toEqual([
      expect.objectContaining({
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["ecs.amazonaws.com"] }],
      }),
    ]);
    expect(role.assume_role_policy).toBe(ref("aws_iam_policy_document", trustId, "json", "data"));
    expect(role.name).toBe("role-fintech-sc-tls-test");
  });

  test("the TLS role has the ECS Service Connect TLS managed policy", () => {
    expect(only(json, "aws_iam_role_policy_attachment")).toMatchObject({
      role: ref("aws_iam_role", role.id, "name"),
      policy_arn: `arn:${partition}:iam::aws:policy/service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity`,
    });
  });

  test("the TLS role may use the services' KMS key, which the managed policy does not grant", () => {
    const keyDocId = documentId("ServiceConnectTlsKey");
    expect(keyPolicy).toMatchObject({
      name: "policy-fintech-sc-tls-key-test",
      role: ref("aws_iam_role", role.id, "id"),
      policy: ref("aws_iam_policy_document", keyDocId, "json", "data"),
    });
    expect(statements(documents[keyDocId]).ServiceConnectTlsKey).toEqual(
      expect.objectContaining({
        actions: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyPair"],
        resources: [KEY],
      }),
    );
  });

  test("exposes the CA and role ARNs as references", () => {
    expect(probed(json, "ca_arn")).toBe(ref("aws_acmpca_certificate_authority", authority.id, "arn"));
    expect(probed(json, "role_arn")).toBe(ref("aws_iam_role", role.id, "arn"));
  });

  test("services can wait for the installed certificate and the role policies", () => {
    expect([...consumer.depends_on].sort()).toEqual(
      [
        `aws_acmpca_certificate_authority_certificate.${installed.id}`,
        `aws_iam_role_policy_attachment.${only(json, "aws_iam_role_policy_attachment").id}`,
        `aws_iam_role_policy.${keyPolicy.id}`,
      ].sort(),
    );
  });
});
