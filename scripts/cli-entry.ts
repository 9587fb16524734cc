/**
 * The entry point of a long-running command (`npm run release`, `npm run task`): Ctrl-C or
 * SIGTERM aborts the command's signal so it can clean up and report; a second signal exits at
 * once. Kept free of heavy imports: the commands answer usage errors before loading the AWS SDK.
 */
export interface EntryExits {
  readonly failed: number;
  readonly interrupted: number;
}

export function runEntry(
  main: (argv: string[], deps: { signal: AbortSignal }) => Promise<number>,
  exits: EntryExits,
  onSignal: (signal: NodeJS.Signals) => string,
): void {
  // The cdktf CLI these commands start (`cdktf output`) sends no telemetry (see runtime.cjs).
  process.env.CHECKPOINT_DISABLE ??= "1";
  const controller = new AbortController();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      if (controller.signal.aborted) process.exit(exits.interrupted);
      console.error(onSignal(signal));
      controller.abort();
    });
  }
  main(process.argv.slice(2), { signal: controller.signal }).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = exits.failed;
    },
  );
}
