import { App } from "cdktf";
import { ConfigError, loadConfig } from "./config";
import { buildPlatformApp } from "./stacks/app";

// The only entry point: load and validate the config (from the environment), then build the
// stacks. A config error stops here, before anything is written to cdktf.out; a guardrail
// error stops the synth of the stack that breaks a rule.
try {
  const config = loadConfig();
  // stdout: the cdktf CLI labels every stderr line of a successful synth as [ERROR].
  if (config.state.bucketSource === "blueprint-default")
    console.log(
      `note: TF_STATE_BUCKET is not set; state goes to ${config.state.bucket}, a default name in S3's global namespace. Set TF_STATE_BUCKET (the same for every command of this environment) or account.id in the blueprint.`,
    );
  const app = new App();
  buildPlatformApp(app, config);
  app.synth();
} catch (error) {
  // Bad config and guardrail findings are the user's to fix: print the report, not a stack trace.
  if (
    error instanceof ConfigError ||
    (error instanceof Error && error.message.startsWith("Validation failed"))
  ) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
