/**
 * The built-in blueprints against the guardrails: each synthesizes with no error finding, and
 * every suppression it relies on carries a reason. One app per blueprint, built once.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Testing } from "cdktf";
import { BUILT_IN_BLUEPRINTS } from "../../../config/blueprints";
import {
  evaluateStack,
  formatReport,
  GuardrailReport,
  guardrailOptionsFor,
  RULES,
} from "../../../modules/guardrails";
import { buildPlatformApp } from "../../../stacks/app";
import { configFor } from "../../support/synth";

const CERTIFICATE = "arn:aws:acm:us-east-1:111122223333:certificate/0a1b2c3d-1234-5678-9abc-def012345678";
const reports = new Map<string, GuardrailReport[]>();
const reportsOf = (blueprint: string, env: Record<string, string> = {}): GuardrailReport[] => {
  const key = `${blueprint} ${JSON.stringify(env)}`;
  const cached = reports.get(key);
  if (cached) return cached;
  const config = configFor(blueprint, env);
  const app = buildPlatformApp(Testing.app() as App, config);
  const options = guardrailOptionsFor(config, { sharedStacks: [app.state], log: () => undefined });
  const result = Object.values(app).map((stack) => evaluateStack(stack, options));
  reports.set(key, result);
  return result;
};

describe.each(Object.keys(BUILT_IN_BLUEPRINTS))("blueprint %s", (blueprint) => {
  test("synthesizes with no guardrail errors", () => {
    const failing = reportsOf(blueprint).filter((r) => r.errors.length > 0);
    expect(failing.map(formatReport)).toEqual([]);
  });

  test("suppresses findings only with a written reason", () => {
    const suppressed = reportsOf(blueprint).flatMap((r) => r.suppressed);
    for (const f of suppressed) expect(f.suppression?.reason.trim().length).toBeGreaterThanOrEqual(10);
  });
});

describe("blueprint trading with an ACM certificate (HTTPS)", () => {
  test("synthesizes with no guardrail errors", () => {
    const failing = reportsOf("trading", { ALB_CERTIFICATE_ARN: CERTIFICATE }).filter(
      (r) => r.errors.length > 0,
    );
    expect(failing.map(formatReport)).toEqual([]);
  });
});

describe.each(["docs/guardrails.md", "README.md"])("%s", (file) => {
  const doc = readFileSync(join(__dirname, "../../..", file), "utf8");

  test("lists every rule with its severity and control", () => {
    const cell = (text: string) => `\\|\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s*`;
    for (const r of RULES)
      expect(doc).toMatch(new RegExp(`${cell(r.id)}${cell(r.severity)}${cell(r.control ?? "—")}\\|`));
  });
});
