/**
 * Which CDK CLI the scripts run: cdktf (0.21, the default) or CDK Terrain's cdktn (its
 * continuation, same cdktf.json / cdktf.out layout and the same commands). Every script that
 * starts the CLI takes the program from here, so switching the runtime is one variable.
 */

/** The runtimes `CDK_RUNTIME` accepts, with the program each one runs. */
export const CDK_RUNTIMES = {
  cdktf: ["npx", "cdktf"],
  cdktn: ["npx", "cdktn"],
} as const satisfies Record<string, readonly string[]>;

export type CdkRuntime = keyof typeof CDK_RUNTIMES;

/** The runtime used when `CDK_RUNTIME` is unset or empty. */
export const DEFAULT_CDK_RUNTIME: CdkRuntime = "cdktf";

export class CliRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliRuntimeError";
  }
}

/**
 * The CLI program and its first arguments (`["npx", "cdktf"]`), from `CDK_RUNTIME`. An empty
 * value counts as unset (a CI variable that is not defined expands to ""); any other value than
 * a known runtime is refused, naming the allowed ones.
 */
export function cdkCli(env: Readonly<Record<string, string | undefined>> = process.env): readonly string[] {
  const runtime = env.CDK_RUNTIME || DEFAULT_CDK_RUNTIME;
  if (!Object.hasOwn(CDK_RUNTIMES, runtime)) {
    throw new CliRuntimeError(
      `CDK_RUNTIME: "${runtime}" is not a known CDK runtime (allowed: ${Object.keys(CDK_RUNTIMES).join(", ")}; default ${DEFAULT_CDK_RUNTIME})`,
    );
  }
  return CDK_RUNTIMES[runtime as CdkRuntime];
}
