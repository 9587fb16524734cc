/**
 * X-Ray sampling rules and groups of one environment. X-Ray rules and groups are regional,
 * account-wide objects: a rule matching a bare service name (`api-gateway`) would sample every
 * environment's and blueprint's `api-gateway`. Every trace therefore carries an environment-scoped
 * service name (naming kind `tracingName`, e.g. `api-gateway.trading@dev`: the platform sets it as
 * `AWS_XRAY_TRACING_NAME` / `OTEL_SERVICE_NAME`), and this environment's rules and group match
 * only those names.
 *
 * Quotas (AWS General Reference, "AWS X-Ray endpoints and quotas"): 25 custom sampling rules per
 * Region (adjustable, L-8C0C998A) and 25 groups per Region (not adjustable, L-7F259013). An
 * environment gets one group (all its services) and at most `MAX_SAMPLING_RULES_PER_ENVIRONMENT`
 * rules: one for every service of the environment at the blueprint's sampling, plus one per
 * service whose sampling differs. So at least 6 environments fit in one region next to a few
 * hand-made rules; a blueprint that needs more fails at synthesis with the numbers.
 */
import { Construct } from "constructs";
import { XrayGroup } from "@cdktf/provider-aws/lib/xray-group";
import { XraySamplingRule } from "@cdktf/provider-aws/lib/xray-sampling-rule";
import type { Naming } from "../naming";
import { ValidationError } from "../errors";

/** Sampling of one rule: a reservoir of requests per second, then a fixed rate. */
export interface Sampling {
  /** Fraction (0..1) of requests sampled beyond the reservoir. */
  readonly rate: number;
  /** Requests per second always sampled. */
  readonly reservoir: number;
}

export interface TracedService {
  /** Service name in the config (goes into rule names). */
  readonly name: string;
  /**
   * Service name the traces carry (what the platform sets in `AWS_XRAY_TRACING_NAME` /
   * `OTEL_SERVICE_NAME`): the naming module's `tracingName` of the service.
   */
  readonly tracingName: string;
  readonly sampling: Sampling;
}

export interface XRayTracingProps {
  readonly naming: Naming;
  /** Sampling of the environment's services that set none of their own (the blueprint's). */
  readonly defaultSampling: Sampling;
  readonly services: readonly TracedService[];
}

/** Per-Region quotas (see above). */
export const XRAY_SAMPLING_RULES_PER_REGION = 25;
export const XRAY_GROUPS_PER_REGION = 25;
/** What one environment may use of them. */
export const MAX_SAMPLING_RULES_PER_ENVIRONMENT = 4;
export const GROUPS_PER_ENVIRONMENT = 1;

/**
 * X-Ray evaluates rules in ascending priority (1-9999) and AWS's own `Default` rule last.
 * Per-service rules come first (SERVICE_RULE_PRIORITY in catalog order), the environment's rule
 * after them; different environments' rules match disjoint names, so their priorities may equal.
 */
export const SERVICE_RULE_PRIORITY = 100;
export const ENVIRONMENT_RULE_PRIORITY = 9000;

export class XRayTracing extends Construct {
  /** The rule for every service of the environment at the blueprint's sampling. */
  readonly environmentRule: XraySamplingRule;
  /** Rules of services whose sampling differs from the blueprint's, by service name. */
  readonly serviceRules: Readonly<Record<string, XraySamplingRule>>;
  /** The environment's group: every trace of its services. */
  readonly group: XrayGroup;

  constructor(scope: Construct, id: string, props: XRayTracingProps) {
    super(scope, id);
    const { naming } = props;
    const same = (a: Sampling, b: Sampling) => a.rate === b.rate && a.reservoir === b.reservoir;
    const overrides = props.services.filter((s) => !same(s.sampling, props.defaultSampling));
    const rules = overrides.length + 1;
    if (rules > MAX_SAMPLING_RULES_PER_ENVIRONMENT)
      throw new ValidationError(
        `tracing: this environment would need ${rules} X-Ray sampling rules (1 for the environment + ${overrides.length} for services with their own sampling: ${overrides.map((s) => s.name).join(", ")}); ` +
          `at most ${MAX_SAMPLING_RULES_PER_ENVIRONMENT} per environment keep several environments within the quota of ${XRAY_SAMPLING_RULES_PER_REGION} per region. ` +
          `Give at most ${MAX_SAMPLING_RULES_PER_ENVIRONMENT - 1} services (services.<name>.tracing) a sampling other than the blueprint's tracing.samplingRate/reservoir`,
        this,
      );

    const pattern = environmentTracingPattern(naming);
    const unmatched = props.services.find((s) => !s.tracingName.endsWith(pattern.slice(1)));
    if (unmatched)
      throw new ValidationError(
        `tracing: the tracing name ${unmatched.tracingName} of ${unmatched.name} does not end with ${pattern.slice(1)} (shortened past 64 characters?): the environment's sampling rule would not match it`,
        this,
      );
    const rule = (
      key: string,
      subject: string | undefined,
      serviceName: string,
      priority: number,
      sampling: Sampling,
    ) =>
      new XraySamplingRule(this, key, {
        ruleName: naming.name("xraySamplingRule", subject),
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
      overrides.map((s, i) => [
        s.name,
        // X-Ray rule names are unique per region and account: the naming module puts the
        // blueprint in (account-scoped kind).
        rule(s.name, s.name, s.tracingName, SERVICE_RULE_PRIORITY + i, s.sampling),
      ]),
    );
    this.environmentRule = rule(
      "environment",
      undefined,
      pattern,
      ENVIRONMENT_RULE_PRIORITY,
      props.defaultSampling,
    );
    this.group = new XrayGroup(this, "group", {
      groupName: naming.name("xrayGroup"),
      filterExpression: props.services.map((s) => `service("${s.tracingName}")`).join(" OR "),
    });
  }
}

/**
 * The service name the traces of `service` carry in this environment: `<service>.<blueprint>@<suffix>`
 * (X-Ray segment names allow `.` and `@`; service names and blueprints contain neither).
 */
export function tracingName(naming: Naming, service: string): string {
  return naming.name("tracingName", `${service}.${naming.blueprint}`);
}

/**
 * The pattern (`*` any characters) that matches exactly this blueprint's and environment's
 * tracing names: nothing before `.<blueprint>@<suffix>` can contain `.` or `@`.
 */
export function environmentTracingPattern(naming: Naming): string {
  return naming.name("tracingName", `*.${naming.blueprint}`);
}
