/**
 * The tests of the modules under modules/ (fargate-service and guardrails have their own), as one Jest test file: Jest loads and compiles every module a test file
 * imports once per test file, about 0.45 s for the platform's modules, so the cases files
 * (*.cases.ts, each a describe of its own) share one load. docs/decisions.md, "Test files
 * grouped per area". Run one of them with `npx jest __tests__/modules/modules.test.ts -t "<describe>"`.
 */
import "./alarms.cases";
import "./dashboard.cases";
import "./database.cases";
import "./ecr-repository.cases";
import "./ecs-cluster.cases";
import "./iam-policy-json.cases";
import "./kms-key.cases";
import "./lifecycle.cases";
import "./load-balancer.cases";
import "./log-insights.cases";
import "./secrets.cases";
import "./service-connect-ca.cases";
import "./service-discovery.cases";
import "./stack-shared.cases";
import "./terraform-data.cases";
import "./tracing.cases";
import "./vpc.cases";
import "./naming/naming.cases";
import { expectNoOrphanCases } from "../support/cases";

expectNoOrphanCases(__dirname);
