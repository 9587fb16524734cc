import "cdktf/lib/testing/adapters/jest";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, TerraformStack, Testing } from "cdktf";
import { Construct } from "constructs";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import {
  applyGuardrails,
  checkSynthesizedApp,
  evaluateStack,
  GuardrailError,
  formatReport,
  formatSummary,
  guardrailOptionsFor,
  suppressRule,
} from "../../../modules/guardrails";
import { blueprintWith, configFrom } from "../../support/synth";
import { findingsOf, goodContainer, reportFor, stubStack, TAGS, taskDefinition } from "./stub";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { referencedAddresses, refersTo } from "../../../modules/guardrails/stack-view";
import { userFacingMessage } from "../../../modules/errors";

/** An ALB that breaks ELB1 (error) and ELB3 (warning) and nothing else. */
const leakyAlb = (scope: Construct, name = "alb-app-test") =>
  new Lb(scope, "alb", { name, dropInvalidHeaderFields: false });
/** A tagged stub stack inside `app`. */
const stubStackIn = (app: App, build: (stack: TerraformStack) => void) => {
  const stack = new TerraformStack(app, "stub");
  new AwsProvider(stack, "aws", { region: "us-east-1", defaultTags: [{ tags: TAGS }] });
  build(stack);
};
const ids = (findings: readonly { rule: { id: string } }[]) => findings.map((f) => f.rule.id);

describe("guardrail validation on a stack", () => {
  const silent = { environmentSuffix: "test", log: () => undefined };

  test("fails Testing.synth(stack, true) with the rule id, the resource and the fix", () => {
    const stack = stubStack(leakyAlb);
    applyGuardrails(stack, silent);
    expect(() => Testing.synth(stack, true)).toThrow(
      /ELB1 \(error, Security Hub ELB.4\)[\s\S]*aws_lb\.alb \[stub\/alb\]: drop_invalid_header_fields is not true[\s\S]*fix: /,
    );
  });

  test("fails Testing.fullSynth", () => {
    const stack = stubStack(leakyAlb);
    applyGuardrails(stack, silent);
    expect(() => Testing.fullSynth(stack)).toThrow(/guardrails: stack "stub": 1 error\(s\)/);
  });

  test("fails app.synth() before the offending stack is written", () => {
    const outdir = mkdtempSync(join(tmpdir(), "guardrails-"));
    const app = new App({ outdir });
    new TerraformStack(app, "clean");
    leakyAlb(new TerraformStack(app, "bad"));
    applyGuardrails(app, silent);
    expect(() => app.synth()).toThrow(/ELB1/);
    expect(existsSync(join(outdir, "stacks", "clean", "cdk.tf.json"))).toBe(true);
    expect(existsSync(join(outdir, "stacks", "bad"))).toBe(false);
  });

  test("reports a blueprint suppression that matched nothing in any stack, after the last stack", () => {
    const printed: string[] = [];
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "guardrails-")) });
    new TerraformStack(app, "clean");
    applyGuardrails(app, {
      environmentSuffix: "test",
      log: (t) => printed.push(t),
      suppressions: [
        {
          rule: "ELB3",
          reason: "load tests only last an hour",
          scope: "platform/albb",
          origin: "blueprint x",
        },
      ],
    });
    app.synth();
    expect(printed.join("\n")).toMatch(
      /suppressions that matched nothing in any stack[^\n]*\n {2}ELB3 \(scope platform\/albb\) by blueprint x: load tests only last an hour/,
    );
  });

  test("does not report a blueprint suppression that silenced a finding in some stack", () => {
    const printed: string[] = [];
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "guardrails-")) });
    new TerraformStack(app, "clean");
    stubStackIn(app, (s) => taskDefinition(s, [{ ...goodContainer, readonlyRootFilesystem: false }]));
    applyGuardrails(app, {
      environmentSuffix: "test",
      log: (t) => printed.push(t),
      suppressions: [
        { rule: "ECS4", reason: "the app writes its cache to the root filesystem", origin: "blueprint x" },
      ],
    });
    app.synth();
    expect(printed.join("\n")).not.toMatch(/matched nothing/);
  });

  test("judges attribute overrides, not only construct props", () => {
    const report = reportFor((s) => {
      const lb = new Lb(s, "alb", { name: "alb-app-test", dropInvalidHeaderFields: true });
      lb.addOverride("drop_invalid_header_fields", false);
    });
    expect(ids(report.errors)).toContain("ELB1");
  });

  test("prints warnings without failing synthesis", () => {
    const printed: string[] = [];
    const stack = stubStack((s) => taskDefinition(s, [{ ...goodContainer, readonlyRootFilesystem: false }]));
    applyGuardrails(stack, { environmentSuffix: "test", log: (t) => printed.push(t) });
    expect(() => Testing.synth(stack, true)).not.toThrow();
    expect(printed.join("\n")).toMatch(/warnings:\n {2}ECS4 \(warning, Security Hub ECS.5\)/);
  });

  test("prints nothing for a clean stack", () => {
    const printed: string[] = [];
    const stack = stubStack((s) => taskDefinition(s, [goodContainer]));
    applyGuardrails(stack, { environmentSuffix: "test", log: (t) => printed.push(t) });
    Testing.synth(stack, true);
    expect(printed).toEqual([]);
  });

  test("registers one validation however often it is applied", () => {
    const stack = stubStack(leakyAlb);
    applyGuardrails(stack, silent);
    applyGuardrails(stack, silent);
    expect(() => Testing.synth(stack, true)).toThrow(
      /Validation failed with the following errors:\n {2}\[stub\] guardrails/,
    );
    expect(stack.node.validate()).toHaveLength(1);
  });

  test("a passing stack's warnings go to stdout once, never to stderr (the cdktf CLI labels stderr [ERROR])", () => {
    const out = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      const stack = stubStack((s) =>
        taskDefinition(s, [{ ...goodContainer, readonlyRootFilesystem: false }]),
      );
      applyGuardrails(stack, { environmentSuffix: "test" });
      Testing.synth(stack, true);
      const printed = out.mock.calls.map(([chunk]) => String(chunk)).filter((c) => c.includes("guardrails"));
      expect(printed).toHaveLength(1);
      expect(printed[0]).toMatch(
        /^guardrails: stack "stub": passed; 1 warning\(s\), 0 suppressed\nwarnings:\n {2}ECS4/,
      );
      expect(err).not.toHaveBeenCalled();
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});

describe("guardrails over the written files (checkSynthesizedApp, main.ts)", () => {
  const silent = { environmentSuffix: "test", log: () => undefined };
  /** An app with a clean stack and `bad`. */
  const appWith = (bad: (s: TerraformStack) => void) => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "guardrails-out-")) });
    stubStackIn(app, () => undefined);
    const stack = new TerraformStack(app, "bad");
    new AwsProvider(stack, "aws", { region: "us-east-1", defaultTags: [{ tags: TAGS }] });
    bad(stack);
    return app;
  };
  /** The app synthesized without validations of ours. */
  const synthesized = (bad: (s: TerraformStack) => void) => {
    const app = appWith(bad);
    app.synth();
    return app;
  };
  /** What a thrown call threw (undefined when it passed). */
  const thrownBy = (call: () => void): unknown => {
    try {
      call();
    } catch (e) {
      return e;
    }
    return undefined;
  };
  /** The user's message when the same app fails its guardrails as stack validations. */
  const viaValidation = (bad: (s: TerraformStack) => void) => {
    const app = appWith(bad);
    applyGuardrails(app, silent);
    return userFacingMessage(thrownBy(() => app.synth()));
  };

  test("fails with the findings of every failing stack, in the words a failed validation would print", () => {
    const app = synthesized(leakyAlb);
    const error = thrownBy(() => checkSynthesizedApp(app, app.outdir, silent));
    expect(error).toBeInstanceOf(GuardrailError);
    const message = (error as Error).message;
    expect(message).toMatch(/^guardrails failed; fix the findings below/);
    expect(message).toMatch(/\[bad\] guardrails: stack "bad": 1 error\(s\)/);
    expect(message).toMatch(/aws_lb\.alb \[bad\/alb\]: drop_invalid_header_fields is not true/);
    // the same text as the validation's failure turned into a user message
    expect(viaValidation(leakyAlb)).toBe(message);
  });

  test("reads blocks in the file's order in both modes, so an order-dependent finding is the same", () => {
    // Construction order zeta, alpha; cdk.tf.json lists alpha first.
    const twins = (s: TerraformStack) => {
      for (const id of ["zeta", "alpha"])
        new EcrRepository(s, id, { name: "ecr-twin-test", imageTagMutability: "IMMUTABLE" });
    };
    const written = synthesized(twins);
    const viaOutput = (thrownBy(() => checkSynthesizedApp(written, written.outdir, silent)) as Error).message;
    expect(viaOutput).toMatch(
      /aws_ecr_repository\.zeta \[bad\/zeta\]: name "ecr-twin-test" is also the name of aws_ecr_repository\.alpha/,
    );
    expect(viaValidation(twins)).toBe(viaOutput);
  });

  test("lists every failing stack (a validation stops at the first)", () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "guardrails-out-")) });
    for (const id of ["one", "two"]) {
      const stack = new TerraformStack(app, id);
      new AwsProvider(stack, "aws", { region: "us-east-1", defaultTags: [{ tags: TAGS }] });
      leakyAlb(stack);
    }
    app.synth();
    expect(() => checkSynthesizedApp(app, app.outdir, silent)).toThrow(
      /\[one\] guardrails: stack "one": 1 error\(s\)[\s\S]*\[two\] guardrails: stack "two": 1 error\(s\)/,
    );
  });

  test("judges the file as written, overrides included", () => {
    const app = synthesized((s) => {
      const lb = new Lb(s, "alb", { name: "alb-app-test", dropInvalidHeaderFields: true });
      lb.addOverride("drop_invalid_header_fields", false);
    });
    expect(() => checkSynthesizedApp(app, app.outdir, silent)).toThrow(/ELB1/);
  });

  test("judges a stack written as HCL (cdktf synth --hcl) from its JSON", () => {
    const previous = process.env.SYNTH_HCL_OUTPUT;
    process.env.SYNTH_HCL_OUTPUT = "true";
    try {
      const app = synthesized(leakyAlb);
      expect(existsSync(join(app.outdir, "stacks", "bad", "cdk.tf"))).toBe(true);
      expect(() => checkSynthesizedApp(app, app.outdir, silent)).toThrow(/ELB1/);
    } finally {
      if (previous === undefined) delete process.env.SYNTH_HCL_OUTPUT;
      else process.env.SYNTH_HCL_OUTPUT = previous;
    }
  });

  test("logs passing stacks' summaries and unused suppressions, and passes", () => {
    const printed: string[] = [];
    const app = synthesized((s) => taskDefinition(s, [{ ...goodContainer, readonlyRootFilesystem: false }]));
    checkSynthesizedApp(app, app.outdir, {
      environmentSuffix: "test",
      log: (t) => printed.push(t),
      suppressions: [{ rule: "ELB3", reason: "load tests only last an hour", origin: "blueprint x" }],
    });
    expect(printed.join("\n")).toMatch(/warnings:\n {2}ECS4 \(warning, Security Hub ECS.5\)/);
    expect(printed.join("\n")).toMatch(
      /suppressions that matched nothing in any stack[\s\S]*ELB3 by blueprint x/,
    );
  });

  test("rejects a suppression without a real reason before judging anything", () => {
    const app = synthesized(() => undefined);
    expect(() =>
      checkSynthesizedApp(app, app.outdir, {
        ...silent,
        suppressions: [{ rule: "ELB3", reason: "x", origin: "blueprint x" }],
      }),
    ).toThrow(/guardrail suppression 0 \(blueprint x\)/);
  });
});

describe("construct suppressions", () => {
  test("a suppressed finding is reported with its reason and is not an error", () => {
    const report = reportFor((s) =>
      suppressRule(leakyAlb(s), "ELB1", "legacy clients send malformed headers"),
    );
    expect(ids(report.errors)).not.toContain("ELB1");
    expect(report.suppressed.map((f) => [f.rule.id, f.suppression?.reason])).toEqual([
      ["ELB1", "legacy clients send malformed headers"],
    ]);
    expect(formatReport(report)).toMatch(
      /active suppressions:\n {2}ELB1[^\n]*\n {4}- aws_lb.alb \[stub\/alb\][^\n]*\n {6}suppressed by suppressRule\(stub\/alb\): legacy clients/,
    );
  });

  test("a suppression on a module covers the resources inside it", () => {
    const report = reportFor((s) => {
      const module = new Construct(s, "load-balancer");
      leakyAlb(module);
      suppressRule(module, "ELB3", "access logs are shipped by the account's log pipeline");
    });
    expect(ids(report.suppressed)).toEqual(["ELB3"]);
    expect(ids(report.errors)).toEqual(["ELB1"]);
  });

  test("a suppression covers only the rule it names", () => {
    const report = reportFor((s) => suppressRule(leakyAlb(s), "ELB3", "access logs are not needed in test"));
    expect(ids(report.errors)).toEqual(["ELB1"]);
  });

  test("a suppression that silences nothing is reported as unused", () => {
    const printed: string[] = [];
    const stack = stubStack((s) =>
      suppressRule(taskDefinition(s, [goodContainer]), "ECS4", "image writes to its root filesystem"),
    );
    applyGuardrails(stack, { environmentSuffix: "test", log: (t) => printed.push(t) });
    Testing.synth(stack, true);
    expect(printed.join("\n")).toMatch(
      /unused suppressions \(nothing to suppress; remove them\):\n {2}ECS4 by suppressRule\(stub\/task\): image writes/,
    );
  });

  test("a passing stack lists each suppression once per rule and origin, with its reason", () => {
    const report = reportFor((s) => {
      const lbs = new Construct(s, "lbs");
      leakyAlb(new Construct(lbs, "a"));
      leakyAlb(new Construct(lbs, "b"), "alb-other-test");
      suppressRule(lbs, "ELB1", "legacy clients send malformed headers");
      suppressRule(lbs, "ELB3", "access logs are shipped by the account's log pipeline");
    });
    expect(report.errors).toEqual([]);
    expect(formatSummary(report)).toBe(
      [
        'guardrails: stack "stub": passed; 0 warning(s), 4 suppressed',
        "  suppressed ELB1 x2 by suppressRule(stub/lbs): legacy clients send malformed headers",
        "  suppressed ELB3 x2 by suppressRule(stub/lbs): access logs are shipped by the account's log pipeline",
      ].join("\n"),
    );
  });

  test("a used suppression is not reported as unused", () => {
    const report = reportFor((s) =>
      suppressRule(leakyAlb(s), "ELB1", "legacy clients send malformed headers"),
    );
    expect(report.unusedSuppressions).toEqual([]);
  });

  test("fails when a suppression has no reason", () => {
    expect(() => reportFor((s) => suppressRule(leakyAlb(s), "ELB1", " "))).toThrow(
      /suppressRule\(stub\/alb\): suppressing ELB1 needs a reason of at least 10 characters/,
    );
  });

  test("fails when a suppression names an unknown rule", () => {
    expect(() => reportFor((s) => suppressRule(leakyAlb(s), "ELB9", "a good enough reason"))).toThrow(
      /"ELB9" is not a guardrail rule \(ECS1, ECS2/,
    );
  });

  test("fails when a whole stack is suppressed", () => {
    expect(() => reportFor((s) => suppressRule(s, "ELB1", "the whole stack is exempt"))).toThrow(
      /suppress on a resource or module, not a whole stack/,
    );
  });
});

describe("option suppressions", () => {
  test("apply to every stack when no stack is named", () => {
    const report = reportFor(leakyAlb, {
      suppressions: [{ rule: "ELB1", reason: "blueprint-wide exemption", origin: "blueprint x" }],
    });
    expect(ids(report.suppressed)).toEqual(["ELB1"]);
  });

  test("apply only to the named stack", () => {
    const report = reportFor(leakyAlb, {
      suppressions: [{ rule: "ELB1", reason: "exempt in another stack", stack: "other", origin: "test" }],
    });
    expect(ids(report.errors)).toEqual(["ELB1"]);
  });

  test("apply only under their scope path", () => {
    const report = reportFor(
      (s) => {
        leakyAlb(new Construct(s, "public"));
        leakyAlb(new Construct(s, "internal"));
      },
      {
        suppressions: [
          { rule: "ELB1", reason: "internal ALB sits behind a proxy", scope: "stub/internal", origin: "t" },
        ],
      },
    );
    expect(report.suppressed.map((f) => f.path)).toEqual(["stub/internal/alb"]);
    expect(report.errors.filter((f) => f.rule.id === "ELB1").map((f) => f.path)).toEqual(["stub/public/alb"]);
  });

  test("fails when an option suppression names an unknown rule", () => {
    const stack = stubStack(leakyAlb);
    expect(() =>
      applyGuardrails(stack, {
        environmentSuffix: "test",
        suppressions: [{ rule: "NOPE", reason: "a long enough reason", origin: "blueprint x" }],
      }),
    ).toThrow(/guardrail suppression 0 \(blueprint x\): "NOPE" is not a guardrail rule/);
  });
});

describe("guardrailOptionsFor", () => {
  const noFlowLogs = configFrom(
    blueprintWith("trading", (bp) => {
      bp.network = {
        ...bp.network,
        flowLogs: { enabled: false, disabledReason: "cost: short-lived load tests" },
      };
      bp.guardrails = { suppressions: [{ rule: "ELB3", reason: "ALB access logs are off in load tests" }] };
    }),
  );

  test("takes the environment suffix from the config", () => {
    expect(guardrailOptionsFor(noFlowLogs).environmentSuffix).toBe("test");
  });

  test("suppresses the flow-log rule with the blueprint's disabledReason when flow logs are off", () => {
    const report = evaluateStack(
      stubStack((s) => new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16" })),
      guardrailOptionsFor(noFlowLogs),
    );
    const vpc2 = report.suppressed.find((f) => f.rule.id === "VPC2");
    expect(vpc2?.suppression).toMatchObject({
      reason: "cost: short-lived load tests",
      origin: "blueprint trading (network.flowLogs.disabledReason)",
    });
  });

  test("does not suppress the flow-log rule when flow logs are on", () => {
    const options = guardrailOptionsFor(configFrom(blueprintWith("trading", () => undefined)));
    expect((options.suppressions ?? []).map((s) => s.rule)).not.toContain("VPC2");
  });

  test("carries the blueprint's suppressions with their reasons", () => {
    expect(guardrailOptionsFor(noFlowLogs).suppressions).toContainEqual({
      rule: "ELB3",
      reason: "ALB access logs are off in load tests",
      origin: "blueprint trading (guardrails.suppressions)",
    });
  });

  test("exempts shared stacks from the destroyability and suffix rules only", () => {
    const shared = stubStack((s) => {
      new S3Bucket(s, "state", { bucket: "tfstate-trading-platform" });
      new Lb(s, "alb", {
        name: "alb-trading",
        dropInvalidHeaderFields: false,
        enableDeletionProtection: true,
      });
    });
    const report = evaluateStack(shared, guardrailOptionsFor(noFlowLogs, { sharedStacks: [shared] }));
    expect(ids(report.suppressed).sort()).toEqual(["DST3", "DST4", "ELB3", "NAME1", "NAME1"]);
    expect(ids(findingsOf(report))).toEqual(["ELB1"]);
  });
});

describe("stack view helpers", () => {
  const block = (address: string) => ({
    type: address.split(".")[0],
    name: address.split(".")[1],
    address,
    path: "",
    attrs: {},
  });
  const values = [
    "${aws_security_group.sg-a_1.id}",
    ["${aws_security_group.sg.id}", "${aws_security_group.sg-b.id}"],
    "${aws_security_group.sg-x.id} and data.aws_security_group.sg.id",
    { nested: "${aws_security_group.other.arn}" },
    undefined,
  ];
  const candidates = [
    "aws_security_group.sg-a_1",
    "aws_security_group.sg",
    "aws_security_group.sg-b",
    "aws_security_group.sg-x",
    "aws_security_group.other",
  ];

  test.each(values.map((v) => [v]))(
    "referencedAddresses names exactly the blocks refersTo accepts: %j",
    (value) => {
      const named = new Set(referencedAddresses(value, "aws_security_group"));
      for (const address of candidates)
        expect([address, named.has(address)]).toEqual([address, refersTo(value, block(address))]);
    },
  );
});
