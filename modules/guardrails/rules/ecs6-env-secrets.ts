import { containers, violation } from "../stack-view";
import type { Rule } from "../types";

/** Environment variable names that hold a credential. */
const SECRET_NAME =
  /(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH_?KEY|CONNECTION_?STRING)/i;
/** Names that point at a secret rather than hold it (`DB_SECRET_ARN`, `TOKEN_URL`). */
const POINTER_SUFFIX = /_(ARN|NAME|ID|PATH|FILE|URL|URI|HOST|PORT|REGION)$/i;
/** Values that are credentials whatever the variable is called. */
const SECRET_VALUE = [
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key id
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, // a URL with user:password (postgres://app:pw@host)
  /\b(sk|rk)_live_[0-9A-Za-z]{10,}/, // Stripe live keys
  /\b(ghp|gho|ghu|ghs|ghr)_[0-9A-Za-z]{30,}/, // GitHub tokens
  /\bgithub_pat_[0-9A-Za-z_]{20,}/,
  /\bxox[abprs]-[0-9A-Za-z-]{10,}/, // Slack tokens
  /\beyJ[0-9A-Za-z_-]{10,}\.eyJ[0-9A-Za-z_-]{10,}\.[0-9A-Za-z_-]+/, // a signed JWT
];

export const ECS6: Rule = {
  id: "ECS6",
  severity: "error",
  control: "ECS.8",
  category: "security",
  info: "Secrets are not passed as plain environment values",
  explanation:
    "Plain `environment` values are visible to anyone who can describe the task definition and are kept in every revision. Put the value in Secrets Manager and reference it from the container's `secrets` (service `secrets:` in the blueprint); variables that only name a secret end in _ARN/_NAME/_ID and are allowed.",
  check: (stack) =>
    containers(stack).flatMap(({ taskDefinition, container }) =>
      ((container.environment ?? []) as { name?: string; value?: string }[])
        .filter(
          (e) =>
            (typeof e.name === "string" && SECRET_NAME.test(e.name) && !POINTER_SUFFIX.test(e.name)) ||
            SECRET_VALUE.some((p) => p.test(String(e.value ?? ""))),
        )
        .map((e) =>
          violation(
            taskDefinition,
            `container ${container.name} passes ${e.name} as a plain environment value${SECRET_VALUE.some((p) => p.test(String(e.value ?? ""))) ? " that looks like a credential" : ""}`,
          ),
        ),
    ),
};
