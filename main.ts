import { App } from "cdktf";
import { ConfigError, loadConfig } from "./config";
import { buildPlatformApp } from "./stacks/app";

// The only entry point: load and validate the config (from the environment), then build the
// stacks. A config error stops here, before anything is written to cdktf.out.
try {
  const config = loadConfig();
  const app = new App();
  buildPlatformApp(app, config);
  app.synth();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
