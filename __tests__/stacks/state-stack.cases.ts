import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { App, Testing } from "cdktf";
import { StateStack, stateStackStateFile, STATE_STACK_ID } from "../../stacks/state-stack";
import { configFor, Json } from "../support/synth";

/** The synthesized state stack of a config, parsed, with the output directory it was synthesized to. */
function stateStack(env: Record<string, string> = {}, outdir?: string): Json {
  const app = outdir ? new App({ outdir }) : Testing.app();
  const json = JSON.parse(Testing.synth(new StateStack(app, configFor("trading", env)))) as Json;
  return { ...json, outdir: app.outdir };
}

/**
 * Where Terraform writes the local state: the backend path, resolved from the stack's working
 * directory (`<outdir>/stacks/state`), relative to the repository (the working directory).
 */
const stateFileFromRepository = (stack: Json): string =>
  relative(".", resolve(stack.outdir, "stacks", STATE_STACK_ID, stack.terraform.backend.local.path));

describe("state stack", () => {
  test("keeps its state in terraform-state/<blueprint>/<bucket>.tfstate of the repository, outside cdktf.out", () => {
    const file = stateFileFromRepository(stateStack());
    expect(file).toBe("terraform-state/trading/tfstate-trading-platform.tfstate");
    expect(file).toBe(stateStackStateFile(configFor("trading")));
    expect(file.startsWith("cdktf.out/")).toBe(false);
  });

  test("stays in the repository whatever the output directory, and is ../../../ under the default cdktf.out", () => {
    const defaultOut = stateStack({}, "cdktf.out");
    expect(defaultOut.terraform.backend.local.path).toBe(
      "../../../terraform-state/trading/tfstate-trading-platform.tfstate",
    );
    for (const outdir of ["cdktf.out", mkdtempSync(join(tmpdir(), "state-out-"))]) {
      expect(stateFileFromRepository(stateStack({}, outdir))).toBe(
        "terraform-state/trading/tfstate-trading-platform.tfstate",
      );
    }
  });

  test("the state bucket has prevent_destroy and no force_destroy", () => {
    const bucket = Object.values(stateStack().resource.aws_s3_bucket as Record<string, Json>);
    expect(bucket).toHaveLength(1);
    expect(bucket[0]).toMatchObject({
      bucket: "tfstate-trading-platform",
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
  });

  test("changing TF_STATE_BUCKET never plans to replace an existing state bucket", () => {
    // A new bucket name gets a new, empty local state: Terraform plans to create that bucket
    // and cannot see (so cannot replace or destroy) the one the other state file holds. And a
    // plan that would delete a state bucket is refused (prevent_destroy).
    const before = stateStack();
    const after = stateStack({ TF_STATE_BUCKET: "acme-tfstate" });
    expect(stateFileFromRepository(before)).toBe("terraform-state/trading/tfstate-trading-platform.tfstate");
    expect(stateFileFromRepository(after)).toBe("terraform-state/trading/acme-tfstate.tfstate");
    for (const stack of [before, after]) {
      const [bucket] = Object.values(stack.resource.aws_s3_bucket as Record<string, Json>);
      expect(bucket.lifecycle.prevent_destroy).toBe(true);
    }
  });

  test("synthesizes with the blueprint-only default, but refuses to create that bucket", () => {
    const [guessed] = Object.values(stateStack().resource.aws_s3_bucket as Record<string, Json>);
    expect(guessed.lifecycle.precondition).toEqual([
      {
        condition: false,
        error_message: expect.stringMatching(
          /^TF_STATE_BUCKET: not set, and trading names no account\.id: the default tfstate-trading-platform is a guess in S3's global namespace/,
        ),
      },
    ]);
    const [named] = Object.values(
      stateStack({ TF_STATE_BUCKET: "acme-tfstate" }).resource.aws_s3_bucket as Record<string, Json>,
    );
    expect(named.lifecycle).toEqual({ prevent_destroy: true });
  });
});
