import { containers, violation } from "../stack-view";
import type { Rule } from "../types";

export const ECS1: Rule = {
  id: "ECS1",
  severity: "error",
  control: "ECS.4",
  category: "security",
  info: "Containers do not run privileged",
  explanation:
    "A privileged container gets root on the host's kernel capabilities and devices; a compromise of the app becomes a compromise of the host. Remove `privileged: true` from the container definition (Fargate rejects it anyway).",
  check: (stack) =>
    containers(stack)
      .filter(({ container }) => container.privileged === true)
      .map(({ taskDefinition, container }) =>
        violation(taskDefinition, `container ${container.name} has privileged: true`),
      ),
};
