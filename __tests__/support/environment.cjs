/**
 * Jest's node environment, with token creation stack traces off on both runtimes
 * (scripts/creation-stacks.cjs; jest.config.js sets CDKTN_DISABLE_CREATION_STACK=1 unless set).
 *
 * Why an environment and not setup.js: tests run in their own realm, whose `Error` has no
 * formatter, so Node formats their traces with the worker realm's, which Jest replaces with a
 * source-mapping one (@jest/source-map) after the environment is created. Only code in the
 * worker realm can hand real Errors to that formatter, so failing tests keep their TypeScript
 * line numbers while cdktf's per-token traces cost nothing.
 */
const { TestEnvironment } = require("jest-environment-node");
const { creationStacksOff, withoutCreationStacks } = require("../../scripts/creation-stacks.cjs");

class PlatformTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    if (creationStacksOff()) {
      const workerError = Error;
      this.global.Error.prepareStackTrace = withoutCreationStacks(() => workerError.prepareStackTrace);
    }
  }
}

module.exports = PlatformTestEnvironment;
