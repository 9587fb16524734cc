// Registers the framework's Jest matchers (toHaveResource, toHaveResourceWithProperties, ...);
// on CDK_RUNTIME=cdktn, jest.config.js maps `cdktf` to cdktn.
const { Testing } = require("cdktf");
Testing.setupJest();
