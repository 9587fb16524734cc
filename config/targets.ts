/**
 * Blueprint fields that say where and how long an environment lives: its lifecycle profile, the
 * AWS account it may be deployed to (and the role to get there), and its public domain. They
 * are ordinary blueprint fields, so an `environments.<name>` entry overrides them like any other
 * (config/environments.ts).
 */
import { z } from "zod";
import { LIFECYCLE_PROFILES } from "../modules/lifecycle";

/** `ephemeral` (everything destroyable) or `persistent` (protected); see modules/lifecycle. */
export const LifecycleSchema = z.enum(LIFECYCLE_PROFILES);

const ACCOUNT_ID = /^\d{12}$/;
/** IAM role ARN; the role name may carry a path (`role/ci/deployer`). */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

export const AccountSchema = z
  .strictObject({
    /**
     * The AWS account the environment lives in: the provider's `allowed_account_ids`, so Terraform
     * refuses to plan with credentials of any other account. Also names the default state bucket.
     */
    id: z
      .string()
      .regex(ACCOUNT_ID, "is not an AWS account id (12 digits)")
      .describe(
        "The AWS account id (12 digits) the environment lives in: the provider's allowed_account_ids, so Terraform refuses credentials of any other account; also names the default state bucket.",
      ),
    /** Role the provider assumes before planning (`assume_role`): e.g. a deploy role in `id`. */
    roleArn: z
      .string()
      .regex(ROLE_ARN, "is not an IAM role ARN (arn:aws:iam::<account-id>:role/<name>)")
      .optional()
      .describe(
        "IAM role in that account the provider assumes before planning (assume_role), e.g. a deploy role; the current credentials are used when unset.",
      ),
    /** External id the role's trust policy requires, if any (sts:ExternalId: 2-1224 characters). */
    externalId: z
      .string()
      .regex(/^[\w+=,.@:/-]{2,1224}$/, "must be 2-1224 letters, digits or +=,.@:/-")
      .optional()
      .describe("External id the role's trust policy requires, if any (2-1224 characters)."),
  })
  .superRefine((account, ctx) => {
    const roleAccount = account.roleArn ? ROLE_ARN.exec(account.roleArn)?.[1] : undefined;
    // allowed_account_ids is checked against the identity after assume_role: a role of another
    // account could never pass it.
    if (roleAccount !== undefined && roleAccount !== account.id)
      ctx.addIssue({
        code: "custom",
        path: ["roleArn"],
        message: `is a role of account ${roleAccount}, but account.id is ${account.id}; the provider checks the account after assuming the role`,
      });
  });

const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export const DomainSchema = z
  .strictObject({
    /** Public Route 53 hosted zone that holds the records (looked up by name; it must exist). */
    zone: z
      .string()
      .regex(DOMAIN_NAME, "is not a DNS domain name (lowercase, e.g. example.com)")
      .describe("Public Route 53 hosted zone that holds the records; looked up by name, so it must exist."),
    /** Name the platform answers on: the zone itself or a name inside it (e.g. trading.example.com). */
    name: z
      .string()
      .regex(DOMAIN_NAME, "is not a DNS domain name (lowercase, e.g. trading.example.com)")
      .describe(
        "Name the platform answers on: the zone itself or a name inside it (e.g. trading.example.com); gets an alias to the ALB and an ACM certificate validated by DNS.",
      ),
  })
  .superRefine((domain, ctx) => {
    if (domain.name !== domain.zone && !domain.name.endsWith(`.${domain.zone}`))
      ctx.addIssue({
        code: "custom",
        path: ["name"],
        message: `${domain.name} is not inside the zone ${domain.zone} (the records are created in that zone)`,
      });
  });

export type AccountConfig = z.output<typeof AccountSchema>;
export type DomainConfig = z.output<typeof DomainSchema>;
