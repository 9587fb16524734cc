/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // Transpile only: type-checking happens once, in `npm run typecheck` (tsc --noEmit).
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  setupFilesAfterEnv: ["<rootDir>/setup.js"],
  collectCoverage: true,
  collectCoverageFrom: ["config/**/*.ts", "modules/**/*.ts", "stacks/**/*.ts"],
  coverageReporters: ["text-summary", "lcov"],
  coverageThreshold: { global: { lines: 90, branches: 90 } },
  maxWorkers: 2,
};
