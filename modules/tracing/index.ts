/**
 * X-Ray sampling rules and groups. The sampling rules decide how many requests the X-Ray SDKs
 * (and the ADOT collector's X-Ray remote sampler) record: one rule per service, matched on the
 * service name the traces carry, and a catch-all rule for anything else. A group per service
 * filters the service map and trace list to that service's traces.
 */
import { Construct } from "constructs";
import { XrayGroup } from "@cdktf/provider-aws/lib/xray-group";
import { XraySamplingRule } from "@cdktf/provider-aws/lib/xray-sampling-rule";
import type { Naming } from "../naming";

/** Sampling of one rule: a reservoir of requests per second, then a fixed rate. */
export interface Sampling {
  /** Fraction (0..1) of requests sampled beyond the reservoir. */
  readonly rate: number;
  /** Requests per second always sampled. */
  readonly reservoir: number;
}

export interface TracedService {
  /** Service name in the config (goes into rule and group names). */
  readonly name: string;
  /**
   * Service name the traces carry (what the platform sets in `AWS_XRAY_TRACING_NAME` /
   * `OTEL_SERVICE_NAME`), matched by the sampling rule and the group's filter.
   */
  readonly tracingName: string;
  readonly sampling: Sampling;
}

export interface XRayTracingProps {
  readonly naming: Naming;
  /** Sampling of requests no service rule matches. */
  readonly defaultSampling: Sampling;
  readonly services: readonly TracedService[];
}

/**
 * X-Ray evaluates rules in ascending priority (1-9999); AWS's own `Default` rule comes last.
 * Service rules take priorities from SERVICE_RULE_PRIORITY in catalog order; the catch-all
 * rule sits just before AWS's default.
 */
export const SERVICE_RULE_PRIORITY = 100;
export const CATCH_ALL_PRIORITY = 9000;

export class XRayTracing extends Construct {
  readonly defaultRule: XraySamplingRule;
  readonly serviceRules: Readonly<Record<string, XraySamplingRule>>;
  readonly groups: Readonly<Record<string, XrayGroup>>;

  constructor(scope: Construct, id: string, props: XRayTracingProps) {
    super(scope, id);
    const rule = (
      key: string,
      subject: string | undefined,
      serviceName: string,
      priority: number,
      sampling: Sampling,
    ) =>
      new XraySamplingRule(this, key, {
        ruleName: props.naming.name("xraySamplingRule", subject),
        priority,
        // Version 1 is the only version X-Ray defines.
        version: 1,
        fixedRate: sampling.rate,
        reservoirSize: sampling.reservoir,
        serviceName,
        // Match every request of the service: X-Ray requires all seven match fields.
        serviceType: "*",
        host: "*",
        httpMethod: "*",
        urlPath: "*",
        resourceArn: "*",
      });

    this.serviceRules = Object.fromEntries(
      props.services.map((s, i) => [
        s.name,
        rule(s.name, s.name, s.tracingName, SERVICE_RULE_PRIORITY + i, s.sampling),
      ]),
    );
    this.defaultRule = rule("default", undefined, "*", CATCH_ALL_PRIORITY, props.defaultSampling);
    this.groups = Object.fromEntries(
      props.services.map((s) => [
        s.name,
        new XrayGroup(this, `group-${s.name}`, {
          groupName: props.naming.name("xrayGroup", s.name),
          filterExpression: `service("${s.tracingName}")`,
        }),
      ]),
    );
  }
}
