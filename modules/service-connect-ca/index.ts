import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { AcmpcaCertificateAuthority } from "@cdktf/provider-aws/lib/acmpca-certificate-authority";
import { AcmpcaCertificate } from "@cdktf/provider-aws/lib/acmpca-certificate";
import { AcmpcaCertificateAuthorityCertificate } from "@cdktf/provider-aws/lib/acmpca-certificate-authority-certificate";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import type { Naming } from "../naming";

/**
 * Service Connect TLS accepts Private CA certificates with 256-bit ECDSA or 2048-bit RSA keys
 * (ECS developer guide, "Encrypt Amazon ECS Service Connect traffic"); ECDSA P-256 is the
 * cheaper handshake of the two.
 */
export const CA_KEY_ALGORITHM = "EC_prime256v1";
export const CA_SIGNING_ALGORITHM = "SHA256WITHECDSA";
/** Validity of the self-signed root (Private CA does not limit root validity in short-lived mode). */
export const ROOT_CERTIFICATE_YEARS = 10;
/** Shortest restore window Private CA allows, so a destroyed environment lets go of its CA soon. */
export const CA_PERMANENT_DELETION_DAYS = 7;
export const SERVICE_CONNECT_TLS_POLICY =
  "service-role/AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity";

/**
 * What ECS does with the services' `tls.kms_key` under the TLS role: it encrypts each service's
 * TLS private key (kept in an `ecs-sc!` Secrets Manager secret) with it. ECS developer guide,
 * "Encrypt Amazon ECS Service Connect traffic" (key policy for the infrastructure role).
 */
export const SERVICE_CONNECT_TLS_KMS_ACTIONS = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyPair",
];

export interface ServiceConnectCaProps {
  readonly naming: Naming;
  /**
   * The customer-managed key the services pass as `tls.kms_key`. The managed TLS policy grants no
   * KMS action, so the role gets these on this key (the key policy delegates to IAM).
   */
  readonly kmsKeyArn: string;
}

/**
 * The Private CA behind Service Connect TLS: a ROOT CA in short-lived certificate mode
 * (certificates valid at most 7 days, which ECS rotates every 5 days — no revocation needed,
 * and far cheaper than general-purpose mode), activated with its self-signed root
 * certificate, and the ECS infrastructure role that issues certificates from it.
 */
export class ServiceConnectCa extends Construct {
  readonly caArn: string;
  /** Role ECS assumes to issue and store TLS certificates (the service's `tls.role_arn`). */
  readonly tlsRoleArn: string;
  /**
   * What services using TLS must depend on: the CA is ACTIVE only once its certificate is
   * installed, and ECS needs the role's policies in place before it issues certificates.
   */
  readonly dependables: ITerraformDependable[];

  constructor(scope: Construct, id: string, props: ServiceConnectCaProps) {
    super(scope, id);
    const partition = new DataAwsPartition(this, "partition");
    const caName = props.naming.name("privateCa");

    const ca = new AcmpcaCertificateAuthority(this, "ca", {
      type: "ROOT",
      usageMode: "SHORT_LIVED_CERTIFICATE",
      permanentDeletionTimeInDays: CA_PERMANENT_DELETION_DAYS,
      certificateAuthorityConfiguration: {
        keyAlgorithm: CA_KEY_ALGORITHM,
        signingAlgorithm: CA_SIGNING_ALGORITHM,
        // Common names are limited to 64 characters; the naming rule for privateCa keeps that.
        subject: { commonName: caName, organization: props.naming.blueprint },
      },
      // AmazonECSInfrastructureRolePolicyForServiceConnectTransportLayerSecurity allows
      // acm-pca:IssueCertificate/GetCertificate only on CAs tagged AmazonECSManaged=true;
      // without the tag ECS cannot issue a single certificate.
      tags: { Name: caName, AmazonECSManaged: "true" },
    });
    const root = new AcmpcaCertificate(this, "root-certificate", {
      certificateAuthorityArn: ca.arn,
      certificateSigningRequest: ca.certificateSigningRequest,
      signingAlgorithm: CA_SIGNING_ALGORITHM,
      templateArn: `arn:${partition.partition}:acm-pca:::template/RootCACertificate/V1`,
      validity: { type: "YEARS", value: `${ROOT_CERTIFICATE_YEARS}` },
    });
    const installed = new AcmpcaCertificateAuthorityCertificate(this, "root-certificate-installed", {
      certificateAuthorityArn: ca.arn,
      certificate: root.certificate,
      certificateChain: root.certificateChain,
    });

    const trust = new DataAwsIamPolicyDocument(this, "trust", {
      statement: [
        {
          sid: "EcsInfrastructure",
          principals: [{ type: "Service", identifiers: ["ecs.amazonaws.com"] }],
          actions: ["sts:AssumeRole"],
        },
      ],
    });
    const role = new IamRole(this, "tls-role", {
      name: props.naming.name("iamRole", "sc-tls"),
      description: "ECS Service Connect TLS: issues certificates from the platform Private CA",
      assumeRolePolicy: trust.json,
    });
    const attachment = new IamRolePolicyAttachment(this, "tls-role-policy", {
      role: role.name,
      policyArn: `arn:${partition.partition}:iam::aws:policy/${SERVICE_CONNECT_TLS_POLICY}`,
    });

    // Without this ECS cannot store the first certificate's private key and no TLS task starts.
    // No kms:ViaService condition: AWS documents these actions for the role without one, and ECS
    // does not say which of them it calls through Secrets Manager.
    const keyUse = new DataAwsIamPolicyDocument(this, "tls-key-use", {
      statement: [
        {
          sid: "ServiceConnectTlsKey",
          actions: SERVICE_CONNECT_TLS_KMS_ACTIONS,
          resources: [props.kmsKeyArn],
        },
      ],
    });
    const keyPolicy = new IamRolePolicy(this, "tls-role-key-policy", {
      name: props.naming.name("iamPolicy", "sc-tls-key"),
      role: role.id,
      policy: keyUse.json,
    });

    this.caArn = ca.arn;
    this.tlsRoleArn = role.arn;
    this.dependables = [installed, attachment, keyPolicy];
  }
}
