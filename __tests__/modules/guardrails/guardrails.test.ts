/**
 * The tests of modules/guardrails, as one Jest test file: Jest loads and compiles every module a test file
 * imports once per test file, about 0.45 s for the platform's modules, so the cases files
 * (*.cases.ts, each a describe of its own) share one load. docs/decisions.md, "Test files
 * grouped per area". Run one of them with `npx jest __tests__/modules/guardrails/guardrails.test.ts -t "<describe>"`.
 */
import "./blueprints.cases";
import "./engine.cases";
import "./rules.cases";
import { expectNoOrphanCases } from "../../support/cases";

expectNoOrphanCases(__dirname);
