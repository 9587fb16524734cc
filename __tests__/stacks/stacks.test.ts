/**
 * The tests of the stacks under stacks/ (day-2 has its own file), as one Jest test file: Jest loads and compiles every module a test file
 * imports once per test file, about 0.45 s for the platform's modules, so the cases files
 * (*.cases.ts, each a describe of its own) share one load. docs/decisions.md, "Test files
 * grouped per area". Run one of them with `npx jest __tests__/stacks/stacks.test.ts -t "<describe>"`.
 */
import "./app.cases";
import "./environments.cases";
import "./network-stack.cases";
import "./observability-stack.cases";
import "./platform-stack.cases";
import "./registry-stack.cases";
import "./release-record.cases";
import "./secrets-and-identity.cases";
import "./state-stack.cases";
import { expectNoOrphanCases } from "../support/cases";

expectNoOrphanCases(__dirname);
