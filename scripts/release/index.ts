/** Entry point of `npm run release` (node --import tsx scripts/release/index.ts). */
import { runEntry } from "../cli-entry";
import { EXIT, main } from "./cli";

// Ctrl-C or SIGTERM stops the waiting; the release still resumes scaling and reports.
runEntry(
  main,
  EXIT,
  (signal) => `release: ${signal} received: stopping after clean-up (again to exit at once)`,
);
