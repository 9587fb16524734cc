const { aliases, runtime } = require("./scripts/runtime.cjs");

// Token creation stack traces off on cdktn (its public switch; cdktf 0.21 has none): a trace
// is only printed when a token fails to resolve, and a failing resolution still throws.
// Set before the workers start, so they inherit it.
process.env.CDKTN_DISABLE_CREATION_STACK ??= "1";

/** On CDK_RUNTIME=cdktn, `cdktf` and `@cdktf/provider-aws` resolve to cdktn's packages. */
const moduleNameMapper = Object.fromEntries(
  Object.entries(aliases(runtime())).flatMap(([from, to]) => [
    [`^${from}$`, to],
    [`^${from}/(.*)$`, `${to}/$1`],
  ]),
);

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Transpile only: type-checking happens once, in `npm run typecheck` (tsc --noEmit).
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  moduleNameMapper,
  setupFilesAfterEnv: ["<rootDir>/setup.js"],
  collectCoverage: true,
  collectCoverageFrom: ["config/**/*.ts", "modules/**/*.ts", "stacks/**/*.ts"],
  coverageReporters: ["text-summary", "lcov"],
  coverageThreshold: { global: { lines: 90, branches: 90 } },
  maxWorkers: 2,
};
