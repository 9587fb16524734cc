/** Entry point of `npm run task` (scripts/task/cli.ts). */
import { EXIT, main } from "./cli";

const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    console.error(`task: ${signal} received: stopping the wait (the task keeps running in AWS)`);
    controller.abort();
  });
}

main(process.argv.slice(2), { signal: controller.signal }).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = EXIT.failed;
  },
);
