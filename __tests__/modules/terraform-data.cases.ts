import { DataResource, Testing, TerraformStack } from "cdktf";
import { TerraformDataMarker } from "../../modules/terraform-data";
import { all, synthScope } from "./synth-scope";

// The module object cdktf itself requires (a namespace import would be a frozen copy).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const childProcess: typeof import("child_process") = require("child_process");

describe("TerraformDataMarker", () => {
  it("synthesizes the same terraform_data block as cdktf's DataResource", () => {
    const ours = synthScope((scope) => new TerraformDataMarker(scope, "marker", { strategy: "codedeploy" }));
    const theirs = synthScope(
      (scope) => new DataResource(scope, "marker", { triggersReplace: { strategy: "codedeploy" } }),
    );
    expect(all(ours, "terraform_data")).toEqual(all(theirs, "terraform_data"));
    expect(Object.values(all(ours, "terraform_data"))[0]).toMatchObject({
      triggers_replace: { strategy: "codedeploy" },
    });
  });

  it("runs no `terraform version` child process when validated, unlike DataResource", () => {
    const execSync = jest.spyOn(childProcess, "execSync");
    try {
      const stack = new TerraformStack(Testing.app(), "stack");
      const marker = new TerraformDataMarker(stack, "marker", { strategy: "rolling" });
      expect(marker.node.validate()).toEqual([]);
      expect(execSync).not.toHaveBeenCalled();
      // The control: cdktf's DataResource validates the Terraform binary's version per instance.
      new DataResource(stack, "data", { triggersReplace: { strategy: "rolling" } }).node.validate();
      expect(execSync).toHaveBeenCalledWith(expect.stringContaining("terraform version"), expect.anything());
    } finally {
      execSync.mockRestore();
    }
  });
});
