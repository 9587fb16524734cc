import { anyToHclTerraform, anyToTerraform, hashMapper, hashMapperHcl, TerraformResource } from "cdktf";
import type { Construct } from "constructs";

/**
 * Terraform's built-in `terraform_data` resource holding only `triggers_replace`: a marker whose
 * replacement, through another resource's `replace_triggered_by`, replaces that resource when a
 * value that is not one of its own attributes changes (a deployment strategy).
 *
 * Why not cdktf's `DataResource`: every instance registers a validation that runs
 * `terraform version` as a child process at synthesis (to check Terraform >= 1.4), one per
 * marker: ~0.1–0.3 s each on this machine, seconds for a large blueprint. The stacks already
 * state their Terraform requirement once, in `terraform.required_version` (stacks/base.ts), which
 * Terraform itself enforces at `init`, so the per-instance check buys nothing. Built on the
 * public `TerraformResource` API; the synthesized block is the same as `DataResource`'s.
 */
export class TerraformDataMarker extends TerraformResource {
  constructor(
    scope: Construct,
    id: string,
    private readonly triggersReplace: Readonly<Record<string, string>>,
  ) {
    super(scope, id, {
      terraformResourceType: "terraform_data",
      terraformGeneratorMetadata: { providerName: "terraform" },
    });
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { triggers_replace: hashMapper(anyToTerraform)(this.triggersReplace) };
  }

  protected override synthesizeHclAttributes(): Record<string, unknown> {
    return { triggers_replace: hashMapperHcl(anyToHclTerraform)(this.triggersReplace) };
  }
}
