import { containers, violation } from "../stack-view";
import type { Rule } from "../types";

export const ECS5: Rule = {
  id: "ECS5",
  severity: "error",
  control: "ECS.9",
  category: "operations",
  info: "Every container has a log configuration",
  explanation:
    "Without `logConfiguration` a container's output is lost and failed deployments cannot be diagnosed. Give every container (sidecars included) a log driver, normally `awslogs` to the service's log group.",
  check: (stack) =>
    containers(stack)
      .filter(({ container }) => typeof container.logConfiguration?.logDriver !== "string")
      .map(({ taskDefinition, container }) =>
        violation(taskDefinition, `container ${container.name} has no logConfiguration.logDriver`),
      ),
};
