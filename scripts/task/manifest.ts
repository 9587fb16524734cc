/**
 * The platform output `one_off_tasks` (type `OneOffTasks` in modules/contracts.ts): read from a
 * JSON file (`--manifest`, e.g. `cdktf deploy --outputs-file`) or fetched with
 * `npx cdktf output platform`, and validated so a stale file fails naming the wrong field.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import type { OneOffTaskEntry, OneOffTasks } from "../../modules/contracts";
import { readPlatformOutputs, type CommandRunner } from "../platform-outputs";

export const TASKS_OUTPUT = "one_off_tasks";

export class TaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TaskError";
  }
}

const EntrySchema = z.object({
  clusterName: z.string().min(1),
  taskDefinitionFamily: z.string().min(1),
  containerName: z.string().min(1),
  logGroupName: z.string().min(1),
  logStreamPrefix: z.string().min(1),
  subnetIds: z.array(z.string().min(1)).min(1),
  securityGroupIds: z.array(z.string().min(1)).min(1),
});
const TasksSchema = z.record(z.string(), EntrySchema);

function findOutput(document: unknown, depth = 0): unknown {
  if (document === null || typeof document !== "object" || depth > 4) return undefined;
  const record = document as Record<string, unknown>;
  if (TASKS_OUTPUT in record) return record[TASKS_OUTPUT];
  for (const child of Object.values(record)) {
    const found = findOutput(child, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Finds and validates `one_off_tasks` in an outputs document (or a JSON string of it). */
export function extractTasks(document: unknown, source: string): OneOffTasks {
  let value = findOutput(document);
  if (typeof value === "string") value = JSON.parse(value);
  if (value === undefined) {
    throw new TaskError(
      `${source}: no "${TASKS_OUTPUT}" output found; deploy the platform stack first (npx cdktf deploy network platform)`,
    );
  }
  const result = TasksSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${[TASKS_OUTPUT, ...i.path].join(".")}: ${i.message}`);
    throw new TaskError(`${source}: invalid ${TASKS_OUTPUT} output:\n  ${issues.join("\n  ")}`);
  }
  return result.data;
}

export function readTasksFile(path: string): OneOffTasks {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new TaskError(`--manifest ${path}: file cannot be read`);
  }
  try {
    return extractTasks(JSON.parse(text), path);
  } catch (error) {
    if (error instanceof TaskError) throw error;
    throw new TaskError(`--manifest ${path}: not valid JSON (${(error as Error).message})`);
  }
}

/**
 * Reads `one_off_tasks` from the deployed platform stack, with the CLI of the selected runtime
 * (`npx cdktf output platform`, or `npx cdktn …` with CDK_RUNTIME=cdktn).
 */
export function fetchTasks(
  run?: CommandRunner,
  env: Readonly<Record<string, string | undefined>> = process.env,
): OneOffTasks {
  return readPlatformOutputs(readTasksFile, (message) => new TaskError(message), run, env);
}

export function taskEntry(tasks: OneOffTasks, service: string): OneOffTaskEntry {
  const entry = tasks[service];
  if (!entry) {
    const known = Object.keys(tasks).sort();
    throw new TaskError(
      `unknown service "${service}": the platform has ${known.join(", ") || "no services"}`,
    );
  }
  return entry;
}
