// Registers cdktf's Jest matchers (toHaveResource, toHaveResourceWithProperties, ...).
const { Testing } = require("cdktf");
Testing.setupJest();

// cdktf records a formatted stack trace for every token it creates, only to print it if that
// token later fails to resolve: about a third of a synth's time. Tests never need it (a
// failing resolution still throws); `npx tsx main.ts` keeps it for debugging.
try {
  require("cdktf/lib/tokens/private/stack-trace").captureStackTrace = () => [];
} catch {
  // A cdktf without that module: keep its default.
}
