/**
 * The tests of config/, as one Jest test file: Jest loads and compiles every module a test file
 * imports once per test file, about 0.45 s for the platform's modules, so the cases files
 * (*.cases.ts, each a describe of its own) share one load. docs/decisions.md, "Test files
 * grouped per area". Run one of them with `npx jest __tests__/config/config.test.ts -t "<describe>"`.
 */
import "./blueprint-mistakes.cases";
import "./environments.cases";
import "./loader.cases";
import "./validation.cases";
import { expectNoOrphanCases } from "../support/cases";

expectNoOrphanCases(__dirname);
