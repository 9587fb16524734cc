import { debugRequested, loadConfig } from "./config";
import { userFacingMessage } from "./modules/errors";
import { synthesizePlatform } from "./stacks/app";

// The only entry point: load and validate the config (from the environment), then build and
// synthesize the stacks. Any error leaves the previous cdktf.out as it was.
try {
  const config = loadConfig();
  // stdout: the cdktf CLI labels every stderr line of a successful synth as [ERROR].
  if (config.state.bucketSource === "blueprint-default")
    console.log(
      `note: TF_STATE_BUCKET is not set; state goes to ${config.state.bucket}, a default name in S3's global namespace. Set TF_STATE_BUCKET (the same for every command of this environment) or account.id in the blueprint.`,
    );
  synthesizePlatform(config);
} catch (error) {
  // A mistake in the blueprint, an environment variable or a guardrail finding is the user's to
  // fix: print what to change, never a stack trace. Anything else is a defect of this code.
  const message = userFacingMessage(error);
  if (message !== undefined) {
    console.error(message);
  } else {
    const detail = error instanceof Error ? error.message : String(error);
    console.error(
      `internal error (a defect of the platform code, not of your input): ${detail}\n` +
        "Run with PLATFORM_DEBUG=1 for the stack trace, and report it.",
    );
    if (debugRequested() && error instanceof Error) console.error(error.stack);
  }
  process.exit(1);
}
