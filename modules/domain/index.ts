import { Construct } from "constructs";
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { DataAwsRoute53Zone } from "@cdktf/provider-aws/lib/data-aws-route53-zone";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import type { DomainConfig } from "../../config/targets";

export interface PlatformDomainProps {
  /** `config.domain`: the public hosted zone (looked up) and the name the platform answers on. */
  readonly domain: DomainConfig;
}

/**
 * The platform's public name: an ACM certificate for `domain.name` validated through DNS in the
 * Route 53 zone `domain.zone` (looked up: the zone is the account's, not the environment's), the
 * wait for validation, and (with {@link aliasTo}) an alias record to the load balancer.
 *
 * - `certificateArn` is the validation resource's ARN, so an HTTPS listener that uses it is
 *   created only once ACM has issued the certificate (CreateListener fails on a pending one).
 * - `create_before_destroy` on the certificate: a changed name replaces it, and ACM refuses to
 *   delete a certificate a listener still uses (the provider documentation recommends it for
 *   certificates in use by `aws_lb_listener`).
 * - The validation record is never taken over (`allow_overwrite` false): ACM gives every
 *   certificate of the same name in the same account the same CNAME, so a record that already
 *   exists belongs to another certificate (another environment or blueprint), which needs it to
 *   renew; taking it over would delete it with this environment. The apply fails instead, naming
 *   the record. A certificate replaced for the same name keeps the same record (no change).
 * - The zone is looked up with the environment's credentials: it must be in the environment's
 *   account (a zone in another account is not supported yet: delegate a subdomain to a zone in
 *   the environment's account).
 */
export class PlatformDomain extends Construct {
  /** ARN of the issued certificate (available once validation completed). */
  readonly certificateArn: string;
  readonly zoneId: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: PlatformDomainProps) {
    super(scope, id);
    const { domain } = props;
    const zone = new DataAwsRoute53Zone(this, "zone", { name: domain.zone, privateZone: false });
    const certificate = new AcmCertificate(this, "certificate", {
      domainName: domain.name,
      validationMethod: "DNS",
      lifecycle: { createBeforeDestroy: true },
    });
    // One name, no SANs: exactly one validation option (the list wraps a set; cdktf indexes it
    // through tolist()).
    const option = certificate.domainValidationOptions.get(0);
    const record = new Route53Record(this, "validation-record", {
      zoneId: zone.zoneId,
      name: option.resourceRecordName,
      type: option.resourceRecordType,
      records: [option.resourceRecordValue],
      ttl: 60,
      allowOverwrite: false,
    });
    const validation = new AcmCertificateValidation(this, "validation", {
      certificateArn: certificate.arn,
      validationRecordFqdns: [record.fqdn],
      // DNS validation usually completes within minutes; a zone that is not delegated never does.
      timeouts: { create: "45m" },
    });
    this.certificateArn = validation.certificateArn;
    this.zoneId = zone.zoneId;
    this.name = domain.name;
  }

  /** An A alias record `name` → the load balancer (health evaluated by Route 53). */
  aliasTo(id: string, target: { readonly dnsName: string; readonly zoneId: string }): Route53Record {
    return new Route53Record(this, id, {
      zoneId: this.zoneId,
      name: this.name,
      type: "A",
      alias: { name: target.dnsName, zoneId: target.zoneId, evaluateTargetHealth: true },
    });
  }
}
