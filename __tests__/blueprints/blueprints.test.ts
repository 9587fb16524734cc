/**
 * The tests of the built-in blueprints (the fuzz test has its own file), as one Jest test file: Jest loads and compiles every module a test file
 * imports once per test file, about 0.45 s for the platform's modules, so the cases files
 * (*.cases.ts, each a describe of its own) share one load. docs/decisions.md, "Test files
 * grouped per area". Run one of them with `npx jest __tests__/blueprints/blueprints.test.ts -t "<describe>"`.
 */
import "./fintech.cases";
import "./fraud.cases";
import "./orders.cases";
import "./rollback-signals.cases";
import "./trading.cases";
import { expectNoOrphanCases } from "../support/cases";

expectNoOrphanCases(__dirname);
