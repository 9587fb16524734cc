const { aliases, runtime } = require("./scripts/runtime.cjs");

// Token creation stack traces off on both runtimes (scripts/creation-stacks.cjs: cdktn reads this
// switch; on cdktf the test environment formats non-Error traces as ""): a trace is only printed
// when a token fails to resolve, and a failing resolution still throws. Set before the workers
// start, so they inherit it.
process.env.CDKTN_DISABLE_CREATION_STACK ??= "1";
// The AWS SDK's public switch for its "versions after January 2027 need Node >= 22" notice, printed
// once per worker on Node 20 (@aws-sdk/core emitWarningIfUnsupportedVersion): the suite runs on
// the Node 20 that package.json supports, and the notice says nothing about the tests.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** On CDK_RUNTIME=cdktn, `cdktf` and `@cdktf/provider-aws` resolve to cdktn's packages. */
const moduleNameMapper = Object.fromEntries(
  Object.entries(aliases(runtime())).flatMap(([from, to]) => [
    [`^${from}$`, to],
    [`^${from}/(.*)$`, `${to}/$1`],
  ]),
);

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "<rootDir>/__tests__/support/environment.cjs",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Transpile only: type-checking happens once, in `npm run typecheck` (tsc --noEmit).
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  moduleNameMapper,
  setupFilesAfterEnv: ["<rootDir>/setup.js"],
  // Coverage (istanbul: every source instrumented, every test file's counters shipped to the
  // parent) adds ~30 s of CPU to the suite, a third of `npm test`'s 90 s budget on 2 cores. It is
  // on with COVERAGE=1, which .ci/run sets, so CI enforces the thresholds below; `jest
  // --coverage` works too. docs/decisions.md
  collectCoverage: process.env.COVERAGE === "1",
  collectCoverageFrom: ["config/**/*.ts", "modules/**/*.ts", "stacks/**/*.ts"],
  coverageReporters: ["text-summary", "lcov"],
  coverageThreshold: { global: { lines: 90, branches: 90 } },
  maxWorkers: 2,
};
