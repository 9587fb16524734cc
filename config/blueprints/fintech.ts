import type { BlueprintInput } from "../schema";

/**
 * Fintech transactions (seed 002): three microservices, each at least 2 tasks on Fargate Spot
 * with 1 vCPU / 2 GB, health checks every 10 s, CPU 70% scaling, a service mesh with TLS
 * (ECS Service Connect + AWS Private CA: App Mesh reached end of support on 2026-09-30),
 * CMK-encrypted logs, database credentials in Secrets Manager rotated every 30 days.
 * Deployments are ECS-native blue/green (the fintech system asks for blue/green with automatic
 * rollback): Service Connect needs the ECS deployment controller, which runs blue/green itself,
 * so callers inside the mesh switch with the ALB (docs/decisions.md).
 */
const microservice = (
  paths: string[],
  calls: string[],
  access: NonNullable<BlueprintInput["services"][string]["access"]>,
) => ({
  kind: "web" as const,
  cpu: 1024,
  memory: 2048,
  port: 8080,
  desiredCount: 2,
  minCount: 2,
  maxCount: 10,
  spotBase: 2,
  paths,
  healthCheck: {
    path: "/health",
    intervalSeconds: 10,
    timeoutSeconds: 5,
    healthyThreshold: 2,
    unhealthyThreshold: 3,
  },
  calls,
  usesDatabase: true,
  access,
  // "Scale out/in based on transaction volume": ALB requests per task next to CPU 70%.
  scaling: { cpuTargetPercent: 70, requestsPerTarget: 1000 },
  deployment: { strategy: "ecs-blue-green" as const, bakeTimeMinutes: 10 },
});

export const fintech: BlueprintInput = {
  name: "fintech",
  description: "Fintech transactions: three microservices on Spot with a Service Connect TLS mesh",
  region: "us-east-1",
  tags: { Team: "payments-platform", CostCenter: "fintech-core", Project: "transactions-platform" },
  network: { cidr: "10.30.0.0/16", natGateways: "per-az", flowLogs: { enabled: true, retentionDays: 30 } },
  registry: { scanOnPush: true, immutableTags: true, imagesKept: 10 },
  cluster: {
    containerInsights: "enhanced",
    capacityProviderStrategy: [
      { provider: "FARGATE_SPOT", base: 2, weight: 4 },
      { provider: "FARGATE", base: 0, weight: 1 },
    ],
  },
  mesh: { enabled: true, tls: true },
  tracing: { mode: "adot" },
  logRetentionDays: 30,
  database: {
    databaseName: "transactions",
    mode: "serverless-v2",
    minCapacity: 0.5,
    maxCapacity: 8,
    rotationDays: 30,
  },
  services: {
    "payments-api": microservice(["/payments", "/payments/*"], ["transactions"], {
      dynamodbTables: [{ name: "payment-intents", write: true }],
    }),
    transactions: microservice(["/transactions", "/transactions/*"], ["accounts"], {
      dynamodbTables: [{ name: "transaction-ledger", write: true }],
      s3Buckets: [{ name: "transaction-statements", write: true }],
    }),
    accounts: microservice(["/accounts", "/accounts/*"], [], {
      dynamodbTables: [{ name: "account-balances", write: true }],
    }),
  },
};
