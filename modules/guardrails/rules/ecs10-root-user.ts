import { containers, violation } from "../stack-view";
import type { Rule } from "../types";

/** `user` values that run the process as root: uid 0 or the name root, with any group. */
const ROOT_USER = /^(0|root)(:.*)?$/;

export const ECS10: Rule = {
  id: "ECS10",
  severity: "error",
  control: "ECS.20",
  category: "security",
  info: "Containers do not run as root",
  explanation:
    "A process running as root inside the container can modify anything in its filesystem and, with a kernel or runtime flaw, reach the host. Set the service's `user` to a non-root uid (e.g. `1000:1000`), or leave it unset to use the image's USER.",
  check: (stack) =>
    containers(stack)
      .filter(({ container }) => typeof container.user === "string" && ROOT_USER.test(container.user.trim()))
      .map(({ taskDefinition, container }) =>
        violation(
          taskDefinition,
          `container ${container.name} runs as user ${JSON.stringify(container.user)} (root)`,
        ),
      ),
};
