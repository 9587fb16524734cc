/** Entry point of `npm run task` (scripts/task/cli.ts). */
import { runEntry } from "../cli-entry";
import { EXIT, main } from "./cli";

runEntry(
  main,
  EXIT,
  (signal) => `task: ${signal} received: stopping the wait (the task keeps running in AWS)`,
);
