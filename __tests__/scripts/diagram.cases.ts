import { readFileSync } from "node:fs";
import { BUILT_IN_BLUEPRINTS } from "../../config/blueprints";
import { renderBlueprintPage, renderDiagram, resolveBuiltIn } from "../../scripts/diagram";

const nodeId = (name: string) => name.replace(/[^a-zA-Z0-9]/g, "_");

describe.each(Object.keys(BUILT_IN_BLUEPRINTS))("diagram of blueprint %s", (name) => {
  const bp = resolveBuiltIn(name);
  const diagram = renderDiagram(bp);

  test("names every service with its kind", () => {
    for (const [svc, s] of Object.entries(bp.services)) {
      expect(diagram).toContain(`svc_${nodeId(svc)}["${svc}<br/>${s.kind}`);
    }
  });

  test("draws every call edge of the config", () => {
    for (const [svc, s] of Object.entries(bp.services)) {
      for (const callee of s.calls) {
        const target =
          bp.services[callee].kind === "worker" ? `queue_${nodeId(callee)}` : `svc_${nodeId(callee)}`;
        expect(diagram).toContain(`svc_${nodeId(svc)} -. calls .-> ${target}`);
      }
    }
  });

  test("draws every ALB route", () => {
    for (const [svc, s] of Object.entries(bp.services)) {
      for (const path of s.paths) expect(diagram).toContain(`alb -- "${path}" --> svc_${nodeId(svc)}`);
    }
  });

  test("the committed docs page is up to date (npm run diagram -- --write)", () => {
    expect(readFileSync(`docs/blueprints/${name}.md`, "utf8")).toBe(renderBlueprintPage(bp));
  });
});

test("queues, schedules and the database appear where the fraud blueprint has them", () => {
  const diagram = renderDiagram(resolveBuiltIn("fraud"));
  expect(diagram).toContain('queue_fraud_worker[/"SQS fraud-worker + DLQ"/]');
  expect(diagram).toContain('schedule_fraud_job(["schedule rate(6 hours)"])');
  expect(diagram).toContain("svc_fraud_api --> db");
});

test("fails for an unknown blueprint", () => {
  expect(() => resolveBuiltIn("nope")).toThrow(/blueprint "nope" is not built in/);
});
