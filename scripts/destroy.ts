/**
 * `npm run destroy [-- <stack>...] [--dry-run]`: destroys the current environment (BLUEPRINT
 * and ENVIRONMENT_SUFFIX, as for synth) one stack at a time in reverse dependency order —
 * observability, platform, registry, network — and stops at the first failure, so a stack is
 * never destroyed while a stack that reads its outputs still exists. The `state` stack holds
 * the Terraform state of every environment of the blueprint: it is never destroyed here, only
 * by hand (`cdktf destroy state`) once no environment is left.
 *
 * Blueprints with the mesh on: ECS Service Connect creates a Cloud Map service per discovery
 * name and leaves it behind when the ECS service is deleted, so Terraform cannot delete the
 * namespace ("Namespace has associated services"). When the platform stack fails to destroy,
 * the leftover services of the environment's namespace are deleted and the destroy is retried
 * once.
 */
import { spawnSync } from "node:child_process";
import {
  DeleteServiceCommand,
  DeregisterInstanceCommand,
  ListInstancesCommand,
  ListNamespacesCommand,
  ListServicesCommand,
  ServiceDiscoveryClient,
} from "@aws-sdk/client-servicediscovery";
import { ConfigError, loadConfig, PlatformConfig } from "../config";
import { Naming } from "../modules/naming";
import { namespaceName } from "../modules/service-discovery";
import { STACK_IDS, StackId } from "../stacks/base";
import { STATE_STACK_ID } from "../stacks/state-stack";

/** Reverse deploy order: dependents first. */
export const DESTROY_ORDER: readonly StackId[] = [...STACK_IDS].reverse();

export class DestroyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DestroyError";
  }
}

export interface DestroyPlan {
  /** What is printed before anything runs. */
  readonly banner: string;
  /** Stacks to destroy, in order. */
  readonly stacks: readonly StackId[];
  /** One command per stack (program and arguments), in order. */
  readonly commands: readonly (readonly string[])[];
  readonly dryRun: boolean;
  /** Cloud Map namespace to clear of Service Connect leftovers if the platform destroy fails. */
  readonly serviceConnectNamespace?: string;
}

/**
 * The destroy plan for `config` and the command-line arguments: every stack, or the requested
 * ones, always in DESTROY_ORDER. Fails on `state` and on unknown stack ids or flags.
 */
export function destroyPlan(config: PlatformConfig, args: readonly string[]): DestroyPlan {
  const flags = args.filter((a) => a.startsWith("-"));
  const unknownFlags = flags.filter((f) => f !== "--dry-run");
  if (unknownFlags.length > 0)
    throw new DestroyError(`unknown option(s) ${unknownFlags.join(", ")} (allowed: --dry-run)`);
  const requested = args.filter((a) => !a.startsWith("-"));
  if (requested.includes(STATE_STACK_ID))
    throw new DestroyError(
      `refusing to destroy the "${STATE_STACK_ID}" stack: bucket ${config.state.bucket} holds the Terraform state of every environment of blueprint ${config.name}. Destroy it by hand (cdktf destroy ${STATE_STACK_ID}) once no environment is left.`,
    );
  const unknown = requested.filter((s) => !(DESTROY_ORDER as readonly string[]).includes(s));
  if (unknown.length > 0)
    throw new DestroyError(`unknown stack(s) ${unknown.join(", ")} (stacks: ${DESTROY_ORDER.join(", ")})`);
  const stacks = DESTROY_ORDER.filter((s) => requested.length === 0 || requested.includes(s));
  return {
    banner: `destroying blueprint ${config.name} (${config.source}), environment suffix "${config.environmentSuffix}", region ${config.region}: ${stacks.join(", ")} (state bucket ${config.state.bucket} is kept)`,
    stacks,
    commands: stacks.map((s) => ["npx", "cdktf", "destroy", s, "--auto-approve"]),
    dryRun: flags.includes("--dry-run"),
    serviceConnectNamespace:
      config.mesh.enabled && stacks.includes("platform")
        ? namespaceName(new Naming(config.name, config.environmentSuffix), config.serviceDiscovery.namespace)
        : undefined,
  };
}

/** The Cloud Map calls the cleanup needs (a ServiceDiscoveryClient, or a mock in tests). */
export interface CloudMap {
  send: ServiceDiscoveryClient["send"];
}

/**
 * Deletes every service left in the namespace (deregistering instances first) and returns
 * how many were deleted. Deregistration is asynchronous: deleting a service is retried while
 * Cloud Map still reports instances.
 */
export async function clearNamespace(
  cloudMap: CloudMap,
  name: string,
  log: (line: string) => void,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<number> {
  const namespaces = await cloudMap.send(
    new ListNamespacesCommand({ Filters: [{ Name: "NAME", Values: [name], Condition: "EQ" }] }),
  );
  const namespaceId = namespaces.Namespaces?.find((n) => n.Name === name)?.Id;
  if (!namespaceId) {
    log(`namespace ${name} not found: nothing to clear`);
    return 0;
  }
  let deleted = 0;
  let nextToken: string | undefined;
  do {
    const page = await cloudMap.send(
      new ListServicesCommand({
        Filters: [{ Name: "NAMESPACE_ID", Values: [namespaceId], Condition: "EQ" }],
        NextToken: nextToken,
      }),
    );
    for (const service of page.Services ?? []) {
      const instances = await cloudMap.send(new ListInstancesCommand({ ServiceId: service.Id }));
      for (const instance of instances.Instances ?? []) {
        await cloudMap.send(
          new DeregisterInstanceCommand({ ServiceId: service.Id, InstanceId: instance.Id }),
        );
      }
      for (let attempt = 1; ; attempt++) {
        try {
          await cloudMap.send(new DeleteServiceCommand({ Id: service.Id }));
          break;
        } catch (error) {
          if ((error as Error).name !== "ResourceInUse" || attempt >= 10) throw error;
          await sleep(3000);
        }
      }
      log(`deleted Cloud Map service ${service.Name} (${service.Id}) left by Service Connect`);
      deleted++;
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return deleted;
}

export interface DestroyDeps {
  /** Runs one command; returns its exit status. */
  readonly run: (command: readonly string[]) => number;
  readonly log: (line: string) => void;
  /** Clears a namespace of Service Connect leftovers; returns how many services it deleted. */
  readonly clearNamespace?: (name: string) => Promise<number>;
}

const defaultDeps = (region: string): DestroyDeps => ({
  run: ([program, ...rest]) => spawnSync(program, rest, { stdio: "inherit" }).status ?? 1,
  log: (line) => console.log(line),
  clearNamespace: (name) => clearNamespace(new ServiceDiscoveryClient({ region }), name, console.log),
});

/** Carries out a plan; resolves to the process exit status (the failing command's, or 0). */
export async function executeDestroy(plan: DestroyPlan, deps: DestroyDeps): Promise<number> {
  deps.log(plan.banner);
  for (const [i, command] of plan.commands.entries()) {
    const text = command.join(" ");
    if (plan.dryRun) {
      deps.log(`would run: ${text}`);
      continue;
    }
    deps.log(`running: ${text}`);
    let status = deps.run(command);
    if (
      status !== 0 &&
      plan.stacks[i] === "platform" &&
      plan.serviceConnectNamespace &&
      deps.clearNamespace
    ) {
      deps.log(
        `clearing Service Connect leftovers from namespace ${plan.serviceConnectNamespace}, then retrying`,
      );
      await deps.clearNamespace(plan.serviceConnectNamespace);
      status = deps.run(command);
    }
    if (status !== 0) {
      deps.log(`failed (exit ${status}): ${text}; stopping, later stacks are left in place`);
      return status;
    }
  }
  return 0;
}

/** Entry point: config from the environment, plan from argv; returns the exit status. */
export async function main(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  deps?: DestroyDeps,
): Promise<number> {
  let plan: DestroyPlan;
  let config: PlatformConfig;
  try {
    config = loadConfig(env);
    plan = destroyPlan(config, args);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DestroyError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  return executeDestroy(plan, deps ?? defaultDeps(config.region));
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then((status) => process.exit(status));
}
