import type { BlueprintInput } from "../schema";

/**
 * Trading orders platform (seed 000): api-gateway behind the ALB, order-processor and
 * market-data reached through Cloud Map. CPU 70% target tracking plus custom-metric policies,
 * CodeDeploy blue/green for api-gateway, deployment circuit breaker with rollback and deployment
 * alarms for the internal services, X-Ray daemon sidecars,
 * metric filters for custom application metrics, p50/p90/p99 dashboards.
 */
export const orders: BlueprintInput = {
  name: "orders",
  description: "Trading orders: api-gateway, order-processor, market-data",
  region: "us-east-1",
  tags: { Team: "order-management", CostCenter: "trading-orders", Project: "orders-platform" },
  network: { cidr: "10.10.0.0/16", natGateways: "per-az", flowLogs: { enabled: true, retentionDays: 30 } },
  registry: { scanOnPush: true, immutableTags: true, imagesKept: 10 },
  cluster: {
    containerInsights: "enhanced",
    // Cost optimisation: a guaranteed on-demand base, then 1 on-demand : 2 Spot.
    capacityProviderStrategy: [
      { provider: "FARGATE", base: 1, weight: 1 },
      { provider: "FARGATE_SPOT", base: 0, weight: 2 },
    ],
  },
  tracing: { mode: "xray-daemon", samplingRate: 0.1, reservoir: 2 },
  logRetentionDays: 30,
  secrets: {
    "db-credentials": { source: "create", description: "Order database credentials" },
    "exchange-api-keys": { source: "create", description: "Exchange and market-data vendor API keys" },
  },
  services: {
    "api-gateway": {
      kind: "web",
      cpu: 512,
      memory: 1024,
      port: 8080,
      desiredCount: 2,
      minCount: 2,
      maxCount: 10,
      paths: ["/api/*", "/health"],
      healthCheck: { path: "/health", intervalSeconds: 15, healthyThreshold: 2, unhealthyThreshold: 3 },
      environment: { LOG_LEVEL: "info" },
      secrets: { EXCHANGE_API_KEYS: { secret: "exchange-api-keys" } },
      calls: ["order-processor", "market-data"],
      scaling: {
        cpuTargetPercent: 70,
        requestsPerTarget: 500,
        scaleInCooldownSeconds: 300,
        scaleOutCooldownSeconds: 60,
      },
      // CodeDeploy blue/green (the project's default for web services); the orders system's circuit
      // breaker and deployment alarms stay on the internal services, which deploy rolling.
      deployment: { strategy: "codedeploy" },
      metricPattern: '[time, level, ..., msg="ORDER_ROUTED", ...]',
    },
    "order-processor": {
      kind: "backend",
      cpu: 1024,
      memory: 2048,
      port: 8081,
      desiredCount: 2,
      minCount: 2,
      maxCount: 12,
      healthCheck: { path: "/health", command: "curl -fs http://localhost:8081/health || exit 1" },
      environment: { LOG_LEVEL: "info" },
      secrets: {
        DB_USERNAME: { secret: "db-credentials", key: "username" },
        DB_PASSWORD: { secret: "db-credentials", key: "password" },
      },
      calls: ["market-data"],
      scaling: {
        cpuTargetPercent: 70,
        customMetric: {
          namespace: "Orders/Application",
          metricName: "PendingOrders",
          statistic: "Average",
          targetValue: 100,
        },
        scaleInCooldownSeconds: 300,
        scaleOutCooldownSeconds: 60,
      },
      metricPattern: '[time, level, ..., msg="ORDER_FILLED", ...]',
    },
    "market-data": {
      kind: "backend",
      cpu: 512,
      memory: 1024,
      port: 8082,
      desiredCount: 2,
      minCount: 2,
      maxCount: 8,
      healthCheck: { path: "/health", command: "curl -fs http://localhost:8082/health || exit 1" },
      environment: { LOG_LEVEL: "info" },
      secrets: { EXCHANGE_API_KEYS: { secret: "exchange-api-keys" } },
      scaling: {
        cpuTargetPercent: 70,
        customMetric: {
          namespace: "Orders/Application",
          metricName: "QuoteLagMilliseconds",
          statistic: "Average",
          targetValue: 50,
          // A lag does not split across tasks: tracked as it is, not divided by the task count.
          divideByTasks: false,
        },
      },
    },
  },
};
