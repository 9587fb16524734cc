import type { BlueprintInput } from "../schema";

/**
 * Trading application (seeds 003 CDKTF and 004 Pulumi; 004 is the stricter one): frontend,
 * api-gateway and processing-service, 2-10 tasks each on CPU, 30-day logs, NAT per AZ, VPC
 * flow logs, HTTP and (with a certificate) HTTPS listeners, blue/green for the public services.
 */
export const trading: BlueprintInput = {
  name: "trading",
  description: "Trading application: web frontend, API gateway, trade processing",
  region: "us-east-1",
  tags: { Team: "trading-platform", CostCenter: "trading", Project: "trading-app" },
  network: { cidr: "10.0.0.0/16", natGateways: "per-az", flowLogs: { enabled: true, retentionDays: 30 } },
  registry: { scanOnPush: true, immutableTags: true, imagesKept: 10 },
  cluster: {
    containerInsights: "enhanced",
    capacityProviderStrategy: [
      { provider: "FARGATE", base: 2, weight: 1 },
      { provider: "FARGATE_SPOT", base: 0, weight: 1 },
    ],
  },
  // HTTPS on 443 with HTTP redirected (the trading system's requirement): set ALB_CERTIFICATE_ARN, or add
  // `domain: { zone, name }` to create and validate the certificate (README "Environments").
  // Test listener: the NAT gateways' addresses only (pre-traffic checks run inside the VPC);
  // add operators' public CIDRs in loadBalancer.testListenerCidrs.
  loadBalancer: { ingressCidrs: ["0.0.0.0/0"] },
  logRetentionDays: 30,
  secrets: {
    "db-credentials": { source: "create", description: "Trading database credentials" },
    "api-keys": { source: "create", description: "API keys of upstream market and broker APIs" },
  },
  services: {
    frontend: {
      kind: "web",
      cpu: 512,
      memory: 1024,
      port: 8080,
      desiredCount: 2,
      minCount: 2,
      maxCount: 10,
      paths: ["/*"],
      healthCheck: {
        path: "/",
        intervalSeconds: 30,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
        gracePeriodSeconds: 60,
      },
      environment: { NODE_ENV: "production" },
      calls: ["api-gateway"],
      scaling: { cpuTargetPercent: 70, requestsPerTarget: 1000 },
    },
    "api-gateway": {
      kind: "web",
      cpu: 1024,
      memory: 2048,
      port: 8080,
      desiredCount: 2,
      minCount: 2,
      maxCount: 10,
      paths: ["/api/*"],
      healthCheck: {
        path: "/api/health",
        intervalSeconds: 15,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
        gracePeriodSeconds: 90,
      },
      environment: { LOG_LEVEL: "info" },
      secrets: { API_KEYS: { secret: "api-keys" } },
      calls: ["processing-service"],
      scaling: { cpuTargetPercent: 70 },
      deployment: {
        codedeployConfig: "CodeDeployDefault.ECSCanary10Percent5Minutes",
        terminationWaitMinutes: 15,
      },
    },
    "processing-service": {
      kind: "backend",
      cpu: 2048,
      memory: 4096,
      port: 9090,
      desiredCount: 2,
      minCount: 2,
      maxCount: 10,
      healthCheck: {
        path: "/health",
        command: "wget -q -O /dev/null http://localhost:9090/health || exit 1",
        intervalSeconds: 30,
        gracePeriodSeconds: 120,
      },
      environment: { LOG_LEVEL: "info" },
      secrets: {
        DB_USERNAME: { secret: "db-credentials", key: "username" },
        DB_PASSWORD: { secret: "db-credentials", key: "password" },
      },
      scaling: { cpuTargetPercent: 70 },
    },
  },
};
