import type { BlueprintInput } from "../../config";

/**
 * A test blueprint that exercises what no single built-in one does: all four service kinds,
 * Service Connect with TLS, the database, created and looked-up secrets, a worker fed by a
 * caller, a Spot-only service and a job on a cron schedule.
 */
export const allKinds: BlueprintInput = {
  name: "allkinds",
  region: "eu-west-1",
  tags: { Team: "platform-tests", CostCenter: "engineering", Project: "platform-tests" },
  network: { cidr: "10.40.0.0/16", natGateways: "single", interfaceEndpoints: true },
  mesh: { enabled: true, tls: true },
  tracing: { mode: "adot" },
  logRetentionDays: 14,
  secrets: {
    "api-token": { source: "create", description: "Token for the partner API" },
    "partner-key": { source: "lookup", name: "legacy/partner-key" },
  },
  database: { databaseName: "orders", mode: "provisioned", instanceClass: "db.r6g.large", instances: 2 },
  services: {
    portal: {
      kind: "web",
      cpu: 256,
      memory: 512,
      port: 3000,
      paths: ["/*"],
      calls: ["api"],
      deployment: { strategy: "rolling" },
    },
    api: {
      kind: "web",
      cpu: 512,
      memory: 1024,
      port: 8080,
      paths: ["/api/*"],
      secrets: { API_TOKEN: { secret: "api-token" }, PARTNER_KEY: { secret: "partner-key", key: "key" } },
      calls: ["engine", "jobs"],
      scaling: { requestsPerTarget: 200, memoryTargetPercent: 80 },
      deployment: { strategy: "rolling" },
    },
    engine: {
      kind: "backend",
      cpu: 1024,
      memory: 2048,
      port: 9000,
      usesDatabase: true,
      spotBase: 1,
      access: { dynamodbTables: [{ name: "engine-state", write: true }] },
    },
    jobs: {
      kind: "worker",
      cpu: 512,
      memory: 1024,
      desiredCount: 1,
      minCount: 1,
      maxCount: 5,
      usesDatabase: true,
      access: { s3Buckets: [{ name: "allkinds-exports", write: true }] },
    },
    nightly: {
      kind: "scheduled",
      cpu: 256,
      memory: 512,
      schedule: "cron(0 2 * * ? *)",
      usesDatabase: true,
    },
  },
};
