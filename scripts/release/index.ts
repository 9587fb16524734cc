/** Entry point of `npm run release` (tsx scripts/release/index.ts). */
import { EXIT, main } from "./cli";

// Ctrl-C or SIGTERM stops the waiting; the release still resumes scaling and reports. A second
// signal exits at once.
const controller = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (controller.signal.aborted) process.exit(EXIT.interrupted);
    console.error(`release: ${signal} received: stopping after clean-up (again to exit at once)`);
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
