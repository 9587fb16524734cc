/**
 * The tests of the scripts that need no AWS SDK mock and no child process, as one Jest test file: Jest loads and compiles every module a test file
 * imports once per test file, about 0.45 s for the platform's modules, so the cases files
 * (*.cases.ts, each a describe of its own) share one load. docs/decisions.md, "Test files
 * grouped per area". Run one of them with `npx jest __tests__/scripts/scripts.test.ts -t "<describe>"`.
 */
import "./bench.cases";
import "./blueprint-descriptions.cases";
import "./blueprint-docs.cases";
import "./blueprint.cases";
import "./diagram.cases";
import "./diff-cost.cases";
