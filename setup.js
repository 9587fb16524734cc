// Registers cdktf's Jest matchers (toHaveResource, toHaveResourceWithProperties, ...).
const { Testing } = require("cdktf");
Testing.setupJest();
