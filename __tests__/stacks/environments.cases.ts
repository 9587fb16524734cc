/**
 * One blueprint file, three environments (examples/three-environments.yaml): `dev` (ephemeral,
 * one NAT gateway, Spot) and `production` (persistent, NAT per AZ, interface endpoints, a
 * domain, an account id) synthesized from it, each passing the guardrails of its profile; and
 * the day-2 switch of production between the profiles, which must replace nothing.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { loadConfig } from "../../config";
import { plan } from "../support/plan";
import { dataSources, Json, onlyResource, resources, synthApp } from "../support/synth";

const EXAMPLE = join(__dirname, "../../examples/three-environments.yaml");
const configOf = (suffix: string, file = EXAMPLE) =>
  loadConfig({ BLUEPRINT: file, ENVIRONMENT_SUFFIX: suffix });

const dev = synthApp(configOf("dev")).stacks;
const production = synthApp(configOf("production")).stacks;
const values = (stack: Json, type: string) => Object.values(resources(stack, type));

describe("dev: ephemeral, one NAT gateway, Spot", () => {
  test("everything is destroyable", () => {
    const db = onlyResource(dev.platform, "aws_rds_cluster");
    expect(db).toMatchObject({ deletion_protection: false, skip_final_snapshot: true });
    expect(db.lifecycle.prevent_destroy).toBeUndefined();
    expect(onlyResource(dev.platform, "aws_lb").enable_deletion_protection).toBe(false);
    for (const repo of values(dev.registry, "aws_ecr_repository")) expect(repo.force_delete).toBe(true);
    for (const secret of values(dev.platform, "aws_secretsmanager_secret"))
      expect(secret.recovery_window_in_days).toBe(0);
  });

  test("has one NAT gateway and runs the api on Spot", () => {
    expect(values(dev.network, "aws_nat_gateway")).toHaveLength(1);
    const api = values(dev.platform, "aws_ecs_service").find((s) => String(s.name).includes("api"))!;
    expect(api.capacity_provider_strategy).toEqual([
      expect.objectContaining({ capacity_provider: "FARGATE_SPOT", base: 1 }),
    ]);
  });

  test("is built without a domain: HTTP only, no certificate", () => {
    expect(resources(dev.platform, "aws_acm_certificate")).toEqual({});
    expect(values(dev.platform, "aws_lb_listener").map((l) => l.port)).not.toContain(443);
  });

  test("plans only in its own account, with the ambient credentials (no assume_role by default)", () => {
    for (const stack of Object.values(dev)) {
      expect(stack.provider.aws[0]).toMatchObject({ allowed_account_ids: ["111111111111"] });
      expect(stack.provider.aws[0].assume_role).toBeUndefined();
    }
  });

  test("assumes its deploy role only when asked (TF_ASSUME_ROLE=true)", () => {
    const assumed = synthApp(
      loadConfig({ BLUEPRINT: EXAMPLE, ENVIRONMENT_SUFFIX: "dev", TF_ASSUME_ROLE: "true" }),
    ).stacks;
    for (const id of ["network", "registry", "platform", "observability"])
      expect(assumed[id].provider.aws[0]).toMatchObject({
        allowed_account_ids: ["111111111111"],
        assume_role: [
          { role_arn: "arn:aws:iam::111111111111:role/platform-deploy", session_name: "cdktf-payments-dev" },
        ],
      });
    // The state bucket is read and written with the ambient credentials, as the backends do.
    expect(assumed.state.provider.aws[0].assume_role).toBeUndefined();
  });
});

describe("production: persistent, NAT per AZ, interface endpoints, a domain, an account", () => {
  test("the database has deletion protection, a final snapshot and prevent_destroy", () => {
    expect(onlyResource(production.platform, "aws_rds_cluster")).toMatchObject({
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "aurora-payments-final-production",
      lifecycle: { prevent_destroy: true, ignore_changes: ["engine_version"] },
    });
  });

  test("the load balancer has deletion protection and its access logs are kept", () => {
    expect(onlyResource(production.platform, "aws_lb")).toMatchObject({
      enable_deletion_protection: true,
      // Without it a destroy would delete listeners and target groups, then stop at the ALB.
      lifecycle: { prevent_destroy: true },
    });
    for (const bucket of values(production.platform, "aws_s3_bucket"))
      expect(bucket.force_destroy).toBe(false);
  });

  test("repositories keep their images; keys and secrets their recovery windows; all with prevent_destroy", () => {
    for (const repo of values(production.registry, "aws_ecr_repository"))
      expect(repo).toMatchObject({ force_delete: false, lifecycle: { prevent_destroy: true } });
    for (const secret of values(production.platform, "aws_secretsmanager_secret"))
      expect(secret).toMatchObject({ recovery_window_in_days: 30, lifecycle: { prevent_destroy: true } });
    const keys = ["network", "platform", "observability"].flatMap((s) =>
      values(production[s], "aws_kms_key"),
    );
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const key of keys)
      expect(key).toMatchObject({ deletion_window_in_days: 30, lifecycle: { prevent_destroy: true } });
  });

  test("has a NAT gateway per AZ and interface endpoints", () => {
    expect(values(production.network, "aws_nat_gateway")).toHaveLength(3);
    const endpoints = values(production.network, "aws_vpc_endpoint").filter(
      (e) => e.vpc_endpoint_type === "Interface",
    );
    expect(endpoints.length).toBeGreaterThan(0);
  });

  test("creates the certificate of its domain, validated by DNS in the looked-up zone", () => {
    const zone = Object.values(dataSources(production.platform, "aws_route53_zone"));
    expect(zone).toEqual([expect.objectContaining({ name: "example.com", private_zone: false })]);
    const [certId, cert] = Object.entries(resources(production.platform, "aws_acm_certificate"))[0];
    expect(cert).toMatchObject({
      domain_name: "payments.example.com",
      validation_method: "DNS",
      lifecycle: { create_before_destroy: true },
    });
    const [recordId, record] = Object.entries(resources(production.platform, "aws_route53_record")).find(
      ([, r]) => r.type !== "A",
    )!;
    expect(record.name).toBe(
      `\${tolist(aws_acm_certificate.${certId}.domain_validation_options).0.resource_record_name}`,
    );
    expect(record.zone_id).toMatch(/^\$\{data\.aws_route53_zone\.[\w-]+\.zone_id\}$/);
    // Never takes over (and later deletes) a record another certificate of that name renews with.
    expect(record.allow_overwrite).toBe(false);
    expect(onlyResource(production.platform, "aws_acm_certificate_validation")).toMatchObject({
      certificate_arn: `\${aws_acm_certificate.${certId}.arn}`,
      validation_record_fqdns: [`\${aws_route53_record.${recordId}.fqdn}`],
    });
  });

  test("serves HTTPS with the validated certificate (so the listener waits for validation) and redirects HTTP", () => {
    const [validationId] = Object.keys(resources(production.platform, "aws_acm_certificate_validation"));
    const listeners = values(production.platform, "aws_lb_listener");
    const https = listeners.find((l) => l.port === 443)!;
    expect(https).toMatchObject({
      protocol: "HTTPS",
      certificate_arn: `\${aws_acm_certificate_validation.${validationId}.certificate_arn}`,
    });
    const http = listeners.find((l) => l.port === 80)!;
    expect(http.default_action[0]).toMatchObject({ type: "redirect" });
  });

  test("points an alias record of its name at the load balancer", () => {
    const [albId] = Object.keys(resources(production.platform, "aws_lb"));
    const alias = values(production.platform, "aws_route53_record").find((r) => r.type === "A")!;
    expect(alias).toMatchObject({
      name: "payments.example.com",
      alias: {
        name: `\${aws_lb.${albId}.dns_name}`,
        zone_id: `\${aws_lb.${albId}.zone_id}`,
        evaluate_target_health: true,
      },
    });
  });

  test("plans only in account 333333333333 and keeps its state in that account's bucket", () => {
    expect(production.platform.provider.aws[0].allowed_account_ids).toEqual(["333333333333"]);
    expect(production.platform.terraform.backend.s3.bucket).toBe("tfstate-333333333333-us-east-1-payments");
    expect(production.state.resource.aws_s3_bucket.bucket.bucket).toBe(
      "tfstate-333333333333-us-east-1-payments",
    );
  });
});

describe("switching production between the profiles", () => {
  // The same file with production switched to retiring: the retirement path of docs/day-2.md.
  const dir = mkdtempSync(join(tmpdir(), "environments-"));
  const file = join(dir, "three-environments.yaml");
  const doc = parse(readFileSync(EXAMPLE, "utf8"));
  doc.environments.production.lifecycle = "retiring";
  writeFileSync(file, stringify(doc));
  const released = synthApp(configOf("production", file)).stacks;

  test.each(["network", "registry", "platform", "observability"])(
    "%s: replaces, creates and destroys nothing",
    (stack) => {
      const p = plan(production[stack], released[stack]);
      expect(p.replace).toEqual([]);
      expect(p.destroy).toEqual([]);
      expect(p.create).toEqual([]);
    },
  );

  test("platform: updates the database and load balancer protections in place", () => {
    expect(plan(production.platform, released.platform).update).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_rds_cluster\./),
        expect.stringMatching(/^aws_lb\./),
      ]),
    );
  });

  test("keeps the final snapshot (named per apply) and the automated backups", () => {
    const db = onlyResource(released.platform, "aws_rds_cluster");
    expect(db).toMatchObject({ skip_final_snapshot: false, delete_automated_backups: false });
    expect(db.final_snapshot_identifier).toMatch(
      /^aurora-payments-final-production-\$\{formatdate\("YYYYMMDDhhmmss", plantimestamp\(\)\)\}$/,
    );
    expect(onlyResource(production.platform, "aws_rds_cluster")).toMatchObject({
      deletion_protection: true,
      delete_automated_backups: false,
    });
  });

  test("keeps the images: repositories are not force-deleted", () => {
    for (const repo of Object.values(resources(released.registry, "aws_ecr_repository")))
      expect(repo.force_delete).toBe(false);
  });

  test("turns deletion protection and prevent_destroy off in that apply", () => {
    expect(onlyResource(released.platform, "aws_rds_cluster")).toMatchObject({
      deletion_protection: false,
    });
    expect(onlyResource(released.platform, "aws_lb").enable_deletion_protection).toBe(false);
    const protectedResources = Object.values(released).flatMap((s) =>
      Object.values((s.resource ?? {}) as Record<string, Record<string, Json>>)
        .flatMap((byId) => Object.values(byId))
        .filter((r) => r.lifecycle?.prevent_destroy),
    );
    // Only the state bucket and its key (shared by every environment) keep prevent_destroy.
    expect(protectedResources).toHaveLength(2);
    expect(Object.keys(released.state.resource.aws_s3_bucket)).toEqual(["bucket"]);
  });
});
