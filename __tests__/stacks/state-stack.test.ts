import { posix } from "node:path";
import { Testing } from "cdktf";
import { StateStack, stateStackStateFile, STATE_STACK_ID } from "../../stacks/state-stack";
import { configFor, Json } from "../support/synth";

/** The synthesized state stack of a config, parsed. */
function stateStack(env: Record<string, string> = {}): Json {
  return JSON.parse(Testing.synth(new StateStack(Testing.app(), configFor("trading", env))));
}

/** Where Terraform writes the local state: the backend path, from the stack's working directory. */
const stateFileFromRepository = (stack: Json): string =>
  posix.normalize(posix.join("cdktf.out", "stacks", STATE_STACK_ID, stack.terraform.backend.local.path));

describe("state stack", () => {
  test("keeps its state in terraform-state/<blueprint>/<bucket>.tfstate of the repository, outside cdktf.out", () => {
    const file = stateFileFromRepository(stateStack());
    expect(file).toBe("terraform-state/trading/tfstate-trading-platform.tfstate");
    expect(file).toBe(stateStackStateFile(configFor("trading")));
    expect(file.startsWith("cdktf.out/")).toBe(false);
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
      expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    }
  });
});
