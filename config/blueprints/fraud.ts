import type { BlueprintInput } from "../schema";

/**
 * Fraud detection (seed 001), eu-central-1: REST API (2-10 tasks), queue worker (1-5 tasks)
 * and a 6-hourly job; CPU 70% and memory 80% scaling; 7-day logs; one NAT gateway; no VPC
 * flow logs and no HTTPS (the fraud system requires neither); Aurora PostgreSQL; existing
 * secrets looked up, not created; services start at 0 tasks until images are pushed.
 */
export const fraud: BlueprintInput = {
  name: "fraud",
  description: "Fraud detection: REST API, queue worker, 6-hourly job, Aurora PostgreSQL",
  region: "eu-central-1",
  tags: { Team: "fraud-detection", CostCenter: "finance-risk", Project: "fraud-platform" },
  network: {
    cidr: "10.20.0.0/16",
    natGateways: "single",
    flowLogs: {
      enabled: false,
      disabledReason: "The fraud system's requirements do not ask for VPC flow logs for this workload",
    },
  },
  registry: { scanOnPush: true, immutableTags: true, imagesKept: 10 },
  cluster: {
    containerInsights: "enhanced",
    capacityProviderStrategy: [
      { provider: "FARGATE", base: 1, weight: 1 },
      { provider: "FARGATE_SPOT", base: 0, weight: 1 },
    ],
  },
  // Test listener: the NAT gateways' addresses only (pre-traffic checks run inside the VPC);
  // add operators' public CIDRs in loadBalancer.testListenerCidrs.
  loadBalancer: { ingressCidrs: ["0.0.0.0/0"] },
  tracing: { mode: "xray-daemon" },
  logRetentionDays: 7,
  secrets: {
    // "fetch existing secrets, do not create": looked up by name at plan time.
    "api-keys": { source: "lookup", name: "fraud/api-keys" },
  },
  database: {
    engineVersion: "16.6",
    databaseName: "fraud",
    mode: "serverless-v2",
    minCapacity: 0.5,
    maxCapacity: 4,
    rotationDays: 30,
    // "No backup retention is required": 1 day is the Aurora minimum.
    backupRetentionDays: 1,
  },
  observability: { alarms: false },
  services: {
    "fraud-api": {
      kind: "web",
      image: "fraud-api",
      cpu: 512,
      memory: 1024,
      port: 8080,
      desiredCount: 2,
      minCount: 2,
      maxCount: 10,
      paths: ["/api/*"],
      healthCheck: { path: "/health", intervalSeconds: 30, healthyThreshold: 2, unhealthyThreshold: 3 },
      secrets: { API_KEYS: { secret: "api-keys" } },
      // The fraud system's requirement: the task roles have "access to AWS Secrets Manager for retrieving secrets".
      taskRoleReadsSecrets: true,
      calls: ["fraud-worker"],
      usesDatabase: true,
      access: { s3Buckets: [{ name: "fraud-detection-data", write: false }] },
      scaling: { cpuTargetPercent: 70, memoryTargetPercent: 80 },
    },
    "fraud-worker": {
      kind: "worker",
      image: "fraud-worker",
      cpu: 1024,
      memory: 2048,
      desiredCount: 1,
      minCount: 1,
      maxCount: 5,
      secrets: { API_KEYS: { secret: "api-keys" } },
      taskRoleReadsSecrets: true,
      usesDatabase: true,
      access: { s3Buckets: [{ name: "fraud-detection-data", write: true }] },
      scaling: { cpuTargetPercent: 70, memoryTargetPercent: 80, backlogPerTask: 20 },
    },
    "fraud-job": {
      kind: "scheduled",
      image: "fraud-job",
      cpu: 256,
      memory: 512,
      desiredCount: 1,
      minCount: 1,
      maxCount: 1,
      schedule: "rate(6 hours)",
      scheduleRetries: 2,
      usesDatabase: true,
      access: { s3Buckets: [{ name: "fraud-detection-data", write: true }] },
    },
  },
};
