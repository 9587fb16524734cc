/**
 * Which CDK framework the build runs on: `CDK_RUNTIME=cdktf` (the default: cdktf 0.21, as the
 * project chose) or `CDK_RUNTIME=cdktn` (CDK Terrain 0.24, the community continuation).
 *
 * The sources import `cdktf` and `@cdktf/provider-aws/lib/<resource>` only. On cdktn every
 * build tool maps those names to cdktn's packages at build time, so no source file changes:
 * TypeScript and tsx through tsconfig.cdktn.json `paths`, the synth bundle through esbuild's
 * `alias` (scripts/synth-entry.mjs), Jest through `moduleNameMapper` (jest.config.js).
 *
 * Used two ways:
 *   require("./scripts/runtime.cjs")          the runtime and its aliases (build tools)
 *   node scripts/runtime.cjs <tool> [args]    runs a tool on the selected runtime:
 *     cli <command> [args]   the framework's CLI (`cdktf synth` or `cdktn synth`)
 *     tsx <script> [args]    a TypeScript script, with the runtime's tsconfig
 *     tsc [args]             the type-checker, with the runtime's tsconfig
 */
"use strict";
const { spawnSync } = require("node:child_process");
const { join } = require("node:path");

const RUNTIMES = ["cdktf", "cdktn"];
const root = join(__dirname, "..");

/** The runtime `env` selects; an unknown value is an error, never a silent default. */
function runtime(env = process.env) {
  const value = env.CDK_RUNTIME === undefined || env.CDK_RUNTIME === "" ? "cdktf" : env.CDK_RUNTIME;
  if (!RUNTIMES.includes(value)) {
    throw new Error(`CDK_RUNTIME: "${value}" is not a runtime (${RUNTIMES.join(", ")})`);
  }
  return value;
}

/** Package names the sources import, mapped to the runtime's packages (none on cdktf). */
function aliases(name = runtime()) {
  return name === "cdktn" ? { cdktf: "cdktn", "@cdktf/provider-aws": "@cdktn/provider-aws" } : {};
}

/** The tsconfig that type-checks and runs the sources on the runtime. */
function tsconfig(name = runtime()) {
  return join(root, name === "cdktn" ? "tsconfig.cdktn.json" : "tsconfig.json");
}

/**
 * The environment tools run with: the runtime's tsconfig for tsx, and token creation stack
 * traces off (cdktn's public switch; cdktf 0.21 has none). A trace is only printed when a
 * token fails to resolve; set CDKTN_DISABLE_CREATION_STACK=0 to get it back. The CLI's
 * telemetry and version check off (CHECKPOINT_DISABLE): without internet access the CLI prints
 * `[ERROR] getaddrinfo ENOTFOUND checkpoint-api.hashicorp.com` on every command.
 */
function toolEnv(env = process.env) {
  const name = runtime(env);
  return {
    ...env,
    CDK_RUNTIME: name,
    TSX_TSCONFIG_PATH: env.TSX_TSCONFIG_PATH ?? tsconfig(name),
    CDKTN_DISABLE_CREATION_STACK: env.CDKTN_DISABLE_CREATION_STACK ?? "1",
    CHECKPOINT_DISABLE: env.CHECKPOINT_DISABLE ?? "1",
  };
}

/** The command line that runs `tool args` on the runtime (binaries from node_modules/.bin). */
function command(tool, args, name = runtime()) {
  const bin = (b) => join(root, "node_modules", ".bin", b);
  switch (tool) {
    case "cli":
      return [bin(name), ...args];
    case "tsx":
      return [bin("tsx"), ...args];
    case "tsc":
      return [bin("tsc"), "--project", tsconfig(name), ...args];
    default:
      throw new Error(`scripts/runtime.cjs: unknown tool "${tool}" (cli, tsx, tsc)`);
  }
}

module.exports = { RUNTIMES, runtime, aliases, tsconfig, toolEnv, command };

if (require.main === module) {
  const [tool, ...args] = process.argv.slice(2);
  let argv;
  try {
    argv = command(tool, args);
  } catch (error) {
    console.error(error.message);
    process.exit(2);
  }
  const result = spawnSync(argv[0], argv.slice(1), { stdio: "inherit", env: toolEnv() });
  if (result.error) throw result.error;
  process.exit(result.status ?? 1);
}
