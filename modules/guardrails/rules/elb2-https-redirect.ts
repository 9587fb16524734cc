import { nested, refersTo, violation } from "../stack-view";
import type { Rule, TfBlock, Violation } from "../types";

const isHttpsRedirect = (action: Record<string, unknown>) =>
  action.type === "redirect" && nested(action.redirect).some((r) => r.protocol === "HTTPS");

export const ELB2: Rule = {
  id: "ELB2",
  severity: "error",
  control: "ELB.1",
  category: "security",
  info: "When a load balancer serves HTTPS, its HTTP listeners only redirect to HTTPS",
  explanation:
    "An HTTP listener that forwards next to an HTTPS one lets clients (and cookies) travel in clear text. Give every HTTP listener of an ALB with HTTPS a single default action `redirect` to protocol HTTPS (status HTTP_301) and no forwarding listener rules; put test listeners on HTTPS too.",
  check: (stack) => {
    const listeners = stack.resourcesOf("aws_lb_listener", "aws_alb_listener");
    const rules = stack.resourcesOf("aws_lb_listener_rule", "aws_alb_listener_rule");
    const out: Violation[] = [];
    for (const lb of stack.resourcesOf("aws_lb", "aws_alb")) {
      const own = listeners.filter((l) => refersTo(l.attrs.load_balancer_arn, lb));
      if (!own.some((l) => l.attrs.protocol === "HTTPS")) continue;
      for (const http of own.filter((l) => (l.attrs.protocol ?? "HTTP") === "HTTP")) {
        if (!nested(http.attrs.default_action).every(isHttpsRedirect))
          out.push(violation(http, `HTTP listener on port ${http.attrs.port} does not redirect to HTTPS`));
        rules
          .filter((r: TfBlock) => refersTo(r.attrs.listener_arn, http))
          .filter((r) => !nested(r.attrs.action).every(isHttpsRedirect))
          .forEach((r) =>
            out.push(violation(r, `listener rule on HTTP port ${http.attrs.port} serves plain HTTP`)),
          );
      }
    }
    return out;
  },
};
