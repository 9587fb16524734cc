/**
 * Environments of one blueprint. A blueprint may name its long-lived environments under
 * `environments:`, each with overrides of any blueprint field:
 *
 *   environments:
 *     dev: { network: { natGateways: single } }
 *     production: { lifecycle: persistent, account: { id: "123456789012" } }
 *
 * `ENVIRONMENT_SUFFIX=<name>` selects the environment of that name (and is its suffix): its
 * overrides are deep-merged over the blueprint (mappings merge key by key; lists and values
 * replace; `null` removes a field) and the result is validated by the same schema, with error
 * paths under `environments.<name>`. Any other suffix (`pr123`) is an ad-hoc environment built
 * from the blueprint as written, or from a declared environment named by ENVIRONMENT_TEMPLATE.
 */
import { ENVIRONMENT_SUFFIX_MAX, ENVIRONMENT_SUFFIX_PATTERN } from "../modules/naming";
import { LIFECYCLE_PROFILES } from "../modules/lifecycle";
import { ConfigError } from "./index";

/** Fields an environment may not override: they identify the blueprint itself. */
const FIXED_FIELDS = ["name", "environments"] as const;

/** How the selected environment relates to the blueprint's `environments:` section. */
export interface EnvironmentInfo {
  /** The suffix: the environment's name. */
  readonly name: string;
  /** Whether `environments:` declares it (a long-lived environment). */
  readonly declared: boolean;
  /** The declared environment whose overrides an ad-hoc suffix was built with. */
  readonly template?: string;
  /** Every environment the blueprint declares, in file order. */
  readonly environments: readonly string[];
}

export interface EnvironmentSelection {
  /** The blueprint input with the environment's overrides merged; no `environments` field. */
  readonly input: unknown;
  /** Prefix of error paths: `<label>.environments.<name>` when overrides apply. */
  readonly label: string;
  readonly info: EnvironmentInfo;
  /** The declared environment (or template) whose overrides were merged, if any. */
  readonly applied?: string;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Deep merge of blueprint input: mappings merge key by key, anything else (a list, a value)
 * replaces, and `null` removes the field (e.g. `domain: null` in an environment without one).
 */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (override === null) return undefined;
  if (!isObject(base) || !isObject(override)) return structuredClone(override);
  const out: Obj = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const merged = value === undefined ? base[key] : deepMerge(base[key], value);
    if (merged === undefined) delete out[key];
    else out[key] = merged;
  }
  return out;
}

/** Defaults that depend on the profile (before the schema fills the others in). */
export function applyProfileDefaults(input: unknown): unknown {
  if (!isObject(input) || input.lifecycle !== "persistent") return input;
  const network = isObject(input.network) ? input.network : {};
  // With one NAT gateway, losing its AZ stops image pulls and secret reads in every AZ; with
  // interface endpoints, tasks reach ECR, Logs, Secrets Manager and X-Ray without NAT.
  if (network.interfaceEndpoints !== undefined) return input;
  return { ...input, network: { ...network, interfaceEndpoints: true } };
}

/** The environments a blueprint input declares, validated as a section (names and shapes). */
export function declaredEnvironments(input: unknown, label: string): Readonly<Record<string, Obj>> {
  if (!isObject(input) || input.environments === undefined) return {};
  const section = input.environments;
  const at = `${label}.environments`;
  if (!isObject(section))
    throw new ConfigError(
      `invalid blueprint ${label}:\n  ${at}: must be a mapping of environment name to overrides`,
    );
  const problems: string[] = [];
  for (const [name, overrides] of Object.entries(section)) {
    if (!ENVIRONMENT_SUFFIX_PATTERN.test(name) || name.length > ENVIRONMENT_SUFFIX_MAX)
      problems.push(
        `${at}.${name}: is not an environment name: use 1-${ENVIRONMENT_SUFFIX_MAX} lowercase letters, digits and hyphens, starting with a letter (it is the ENVIRONMENT_SUFFIX)`,
      );
    if (overrides !== null && !isObject(overrides)) {
      problems.push(`${at}.${name}: must be a mapping of blueprint fields to override (or empty)`);
      continue;
    }
    for (const field of FIXED_FIELDS)
      if (isObject(overrides) && field in overrides)
        problems.push(
          `${at}.${name}.${field}: cannot be overridden per environment (it identifies the blueprint)`,
        );
    const lifecycle = isObject(overrides) ? overrides.lifecycle : undefined;
    if (lifecycle !== undefined && !(LIFECYCLE_PROFILES as readonly unknown[]).includes(lifecycle))
      problems.push(
        `${at}.${name}.lifecycle: ${JSON.stringify(lifecycle)}: must be one of ${LIFECYCLE_PROFILES.map((p) => JSON.stringify(p)).join(", ")}`,
      );
  }
  if (problems.length > 0) throw new ConfigError(`invalid blueprint ${label}:\n  ${problems.join("\n  ")}`);
  return Object.fromEntries(Object.entries(section).map(([n, o]) => [n, isObject(o) ? o : {}]));
}

/**
 * The blueprint input of environment `suffix`: the declared environment of that name merged
 * over the blueprint, or (for an ad-hoc suffix) the template environment, or the blueprint as
 * written. Fails naming the declared environments when the template is not one of them.
 */
export function selectEnvironment(
  input: unknown,
  label: string,
  suffix: string,
  template?: string,
): EnvironmentSelection {
  const envs = declaredEnvironments(input, label);
  const names = Object.keys(envs);
  const base = isObject(input)
    ? Object.fromEntries(Object.entries(input).filter(([k]) => k !== "environments"))
    : input;
  const declared = suffix in envs;
  if (template !== undefined && declared)
    throw new ConfigError(
      `ENVIRONMENT_TEMPLATE: "${template}" applies to ad-hoc environments only; ${suffix} is declared in ${label}.environments and uses its own overrides (unset ENVIRONMENT_TEMPLATE)`,
    );
  if (template !== undefined && !(template in envs))
    throw new ConfigError(
      `ENVIRONMENT_TEMPLATE: "${template}" is not an environment of ${label} (declared: ${names.join(", ") || "none"})`,
    );
  const applied = declared ? suffix : template;
  const info: EnvironmentInfo = { name: suffix, declared, template, environments: names };
  const merged = applied === undefined ? base : deepMerge(base, envs[applied]);
  checkDomains(base, envs, suffix, declared ? undefined : domainOf(merged), label);
  if (!declared && names.length > 0) checkAdHoc(merged, suffix, template, label);
  if (applied === undefined) return { input: applyProfileDefaults(merged), label, info, applied };
  return { input: applyProfileDefaults(merged), label: `${label}.environments.${applied}`, info, applied };
}

const domainOf = (input: unknown): string | undefined => {
  const domain = isObject(input) ? input.domain : undefined;
  return isObject(domain) && typeof domain.name === "string" ? domain.name : undefined;
};

/**
 * A domain name belongs to one environment: two would fight over its alias record (and each
 * create a certificate for it). Declared environments must differ, and an ad-hoc environment
 * (built from the blueprint or a template) may not take the name of a declared one.
 */
function checkDomains(
  base: unknown,
  envs: Readonly<Record<string, Obj>>,
  suffix: string,
  adHocDomain: string | undefined,
  label: string,
): void {
  const owners = new Map<string, string>();
  for (const [name, overrides] of Object.entries(envs)) {
    const domain = domainOf(deepMerge(base, overrides));
    if (domain === undefined) continue;
    const other = owners.get(domain);
    if (other)
      throw new ConfigError(
        `invalid blueprint ${label}:\n  ${label}.environments.${name}.domain: ${domain} is also the domain of environment ${other}; each environment needs its own name (one certificate and one alias record per name); set domain per environment, or domain: null where there is none`,
      );
    owners.set(domain, name);
  }
  const owner = adHocDomain === undefined ? undefined : (owners.get(adHocDomain) ?? "");
  if (owner === "")
    throw new ConfigError(
      `ENVIRONMENT_SUFFIX: the ad-hoc environment ${suffix} would get the domain ${adHocDomain} (${label}); a domain belongs to a declared environment only (every ad-hoc environment would share its alias record and its certificate's validation record, and destroying one would delete what the others use): declare ${suffix} under environments:, or set domain: null for it (in the template environment, or move domain: into the environment that owns it)`,
    );
  if (owner)
    throw new ConfigError(
      `ENVIRONMENT_SUFFIX: the ad-hoc environment ${suffix} would take the domain ${adHocDomain} of environment ${owner} (${label}); build ad-hoc environments from a template without a domain, or give the blueprint's own domain to no declared environment`,
    );
}

/**
 * An ad-hoc environment (pr123) of a blueprint that declares its long-lived environments is
 * thrown away by the workflow that made it: it must be `ephemeral`, or its destroy would be
 * refused for ever (persistent) or leave snapshots and repositories behind (retiring). A
 * persistent template is for declared environments only. (A blueprint without `environments:`
 * names no long-lived environment: its own lifecycle applies to every suffix, as written.)
 */
function checkAdHoc(merged: unknown, suffix: string, template: string | undefined, label: string): void {
  const lifecycle = isObject(merged) ? merged.lifecycle : undefined;
  if (lifecycle === undefined || lifecycle === "ephemeral") return;
  const from = template ? `the template environment ${template}` : `the blueprint ${label}`;
  throw new ConfigError(
    `ENVIRONMENT_SUFFIX: the ad-hoc environment ${suffix} would be ${JSON.stringify(lifecycle)} (lifecycle of ${from}); ad-hoc environments must be "ephemeral": declare ${suffix} under environments:, or build it from an ephemeral template`,
  );
}
