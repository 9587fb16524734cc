/**
 * The tests of scripts/release (the SDK clients mocked per test through support/release-harness),
 * as one Jest test file: Jest loads and compiles every module a test file imports once per test
 * file, so the cases files (*.cases.ts, each a describe of its own) share one load.
 * docs/decisions.md, "Test files grouped per area". Run one of them with
 * `npx jest __tests__/scripts/release-scripts.test.ts -t "<describe>"`.
 */
import "./release.cases";
import "./release-cli.cases";
import "./release-ecs-blue-green.cases";
import "./release-lifecycle.cases";
import "./release-outputs.cases";
import { expectNoOrphanCases } from "../support/cases";

expectNoOrphanCases(__dirname);
