/**
 * The tests of modules/fargate-service, as one Jest test file: Jest loads and compiles every
 * module a test file imports once per test file, about 0.45 s for the platform's modules, so the
 * cases files (*.cases.ts, each a describe of its own) share one load. docs/decisions.md, "Test
 * files grouped per area". Run one of them with
 * `npx jest __tests__/modules/fargate-service -t "<describe>"`.
 */
import "./blue-green.cases";
import "./discovery.cases";
import "./iam.cases";
import "./index.cases";
import "./scaling.cases";
import "./scheduled-task.cases";
import "./security.cases";
import "./service.cases";
import "./task-definition.cases";
import "./web-traffic.cases";
import "./work-queue.cases";
import { expectNoOrphanCases } from "../../support/cases";

expectNoOrphanCases(__dirname);
