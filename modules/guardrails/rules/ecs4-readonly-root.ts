import { containers, violation } from "../stack-view";
import type { Rule } from "../types";

export const ECS4: Rule = {
  id: "ECS4",
  severity: "warning",
  control: "ECS.5",
  category: "security",
  info: "Containers have a read-only root filesystem",
  explanation:
    "A writable root filesystem lets an attacker persist tools in the container. Set `readonlyRootFilesystem: true` and mount writable volumes only where the app writes (e.g. /tmp). A warning because some images cannot run read-only yet (service `readonlyRootFilesystem: false` in the blueprint).",
  check: (stack) =>
    containers(stack)
      .filter(({ container }) => container.readonlyRootFilesystem !== true)
      .map(({ taskDefinition, container }) =>
        violation(taskDefinition, `container ${container.name} has a writable root filesystem`),
      ),
};
