import "cdktf/lib/testing/adapters/jest";
import { Fn, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { DataAwsSecretsmanagerRandomPassword } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-random-password";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRegistryScanningConfiguration } from "@cdktf/provider-aws/lib/ecr-registry-scanning-configuration";
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SecurityGroupRule } from "@cdktf/provider-aws/lib/security-group-rule";
import { ServiceDiscoveryService } from "@cdktf/provider-aws/lib/service-discovery-service";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { RULES } from "../../../modules/guardrails";
import { findingsOf, goodContainer, reportFor, TAGS, taskDefinition } from "./stub";

type Build = (stack: TerraformStack) => void;
interface Case {
  /** Rule id expected to fire on `bad` and stay silent on `good`. */
  readonly rule: string;
  /** What is wrong in `bad` (the test name). */
  readonly offence: string;
  readonly bad: Build;
  readonly good: Build;
  /** Expected in the finding's detail. */
  readonly detail: RegExp;
  /** Provider default tags of the stub (TAG1). */
  readonly badTags?: Record<string, string>;
  /** Lifecycle profile of the environment the rule is checked in. @default "ephemeral" */
  readonly lifecycle?: "ephemeral" | "persistent" | "retiring";
}

const KEEP = { preventDestroy: true } as const;

const ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const container = (edit: Record<string, unknown>) => ({ ...goodContainer, ...edit });
const service = (s: TerraformStack, extra: Partial<ConstructorParameters<typeof EcsService>[2]>) =>
  new EcsService(s, "svc", {
    name: "ecs-svc-app-test",
    cluster: "arn:aws:ecs:us-east-1:111122223333:cluster/ecs-cluster-app-test",
    forceDelete: true,
    networkConfiguration: { subnets: ["subnet-1"], assignPublicIp: false },
    ...extra,
  });
/** Registry-wide scanning with one rule for every repository. */
const registryScanning = (s: TerraformStack, scanType: string, scanFrequency: string) =>
  new EcrRegistryScanningConfiguration(s, "scanning", {
    scanType,
    rule: [{ scanFrequency, repositoryFilter: [{ filter: "*", filterType: "WILDCARD" }] }],
  });

const repo = (s: TerraformStack, extra: Partial<ConstructorParameters<typeof EcrRepository>[2]> = {}) =>
  new EcrRepository(s, "repo", {
    name: "ecr-repo-app-test",
    imageTagMutability: "IMMUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    forceDelete: true,
    ...extra,
  });
const alb = (s: TerraformStack, extra: Partial<ConstructorParameters<typeof Lb>[2]> = {}) =>
  new Lb(s, "alb", {
    name: "alb-app-test",
    dropInvalidHeaderFields: true,
    accessLogs: { bucket: "s3-logs-test", enabled: true },
    ...extra,
  });
const httpsListener = (s: TerraformStack, lb: Lb) =>
  new LbListener(s, "https", {
    loadBalancerArn: lb.arn,
    port: 443,
    protocol: "HTTPS",
    certificateArn: "arn:aws:acm:us-east-1:111122223333:certificate/abc",
    defaultAction: [
      { type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } },
    ],
  });
const redirect = [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }];
const forward = [
  { type: "forward", targetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/tg/1" },
];
const vpc = (s: TerraformStack) =>
  new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16", tags: { Name: "vpc-app-test" } });
const policy = (s: TerraformStack, actions: string[], resources: string[]) => {
  const doc = new DataAwsIamPolicyDocument(s, "doc", {
    statement: [{ sid: "Access", effect: "Allow", actions, resources }],
  });
  new IamPolicy(s, "policy", { name: "policy-app-test", policy: doc.json });
};
const cluster = (s: TerraformStack, extra: Partial<ConstructorParameters<typeof RdsCluster>[2]> = {}) =>
  new RdsCluster(s, "db", {
    clusterIdentifier: "aurora-app-test",
    engine: "aurora-postgresql",
    storageEncrypted: true,
    skipFinalSnapshot: true,
    ...extra,
  });
const secret = (
  s: TerraformStack,
  extra: Partial<ConstructorParameters<typeof SecretsmanagerSecret>[2]> = {},
) =>
  new SecretsmanagerSecret(s, "secret", {
    name: "secret-app-test",
    kmsKeyId: ARN,
    recoveryWindowInDays: 0,
    ...extra,
  });
const key = (s: TerraformStack, extra: Partial<ConstructorParameters<typeof KmsKey>[2]> = {}) =>
  new KmsKey(s, "key", { enableKeyRotation: true, deletionWindowInDays: 7, ...extra });

const CASES: Case[] = [
  {
    rule: "ECS1",
    offence: "a privileged container",
    bad: (s) => taskDefinition(s, [container({ privileged: true })]),
    good: (s) => taskDefinition(s, [goodContainer]),
    detail: /container app has privileged: true/,
  },
  {
    rule: "ECS2",
    offence: "a task definition in host network mode",
    bad: (s) => taskDefinition(s, [goodContainer], { networkMode: "host" }),
    good: (s) => taskDefinition(s, [goodContainer]),
    detail: /network_mode is host/,
  },
  {
    rule: "ECS3",
    offence: "a task definition sharing the host PID namespace",
    bad: (s) => taskDefinition(s, [goodContainer], { pidMode: "host" }),
    good: (s) => taskDefinition(s, [goodContainer], { pidMode: "task" }),
    detail: /pid_mode is host/,
  },
  {
    rule: "ECS4",
    offence: "a container with a writable root filesystem",
    bad: (s) => taskDefinition(s, [container({ readonlyRootFilesystem: false })]),
    good: (s) => taskDefinition(s, [goodContainer]),
    detail: /container app has a writable root filesystem/,
  },
  {
    rule: "ECS5",
    offence: "a sidecar without a log configuration",
    bad: (s) => taskDefinition(s, [goodContainer, container({ name: "xray", logConfiguration: undefined })]),
    good: (s) => taskDefinition(s, [goodContainer, container({ name: "xray" })]),
    detail: /container xray has no logConfiguration/,
  },
  {
    rule: "ECS6",
    offence: "a password passed as a plain environment value",
    bad: (s) => taskDefinition(s, [container({ environment: [{ name: "DB_PASSWORD", value: "hunter2" }] })]),
    good: (s) => taskDefinition(s, [goodContainer]),
    detail: /passes DB_PASSWORD as a plain environment value/,
  },
  {
    rule: "ECS6",
    offence: "an AWS access key id in an innocently named variable",
    bad: (s) =>
      taskDefinition(s, [container({ environment: [{ name: "UPSTREAM", value: "AKIAABCDEFGHIJKLMNOP" }] })]),
    good: (s) => taskDefinition(s, [container({ environment: [{ name: "UPSTREAM", value: "https://x" }] })]),
    detail: /passes UPSTREAM/,
  },
  ...[
    ["a database URL with a password", "DATABASE_URL", "postgres://app:pw@db.internal:5432/app"],
    ["a Stripe live key", "PAYMENTS", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"],
    ["a GitHub token", "CI", "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"],
  ].map(([offence, name, value]) => ({
    rule: "ECS6",
    offence: `${offence} in a plain environment value`,
    bad: (s: TerraformStack) => taskDefinition(s, [container({ environment: [{ name, value }] })]),
    good: (s: TerraformStack) =>
      taskDefinition(s, [container({ environment: [{ name, value: "https://db.internal:5432/app" }] })]),
    detail: new RegExp(`passes ${name} as a plain environment value that looks like a credential`),
  })),
  ...["0:0", "0", "root", "root:staff"].map((user) => ({
    rule: "ECS10",
    offence: `a container running as user ${user}`,
    bad: (s: TerraformStack) => taskDefinition(s, [container({ user })]),
    good: (s: TerraformStack) => taskDefinition(s, [container({ user: "1000:1000" })]),
    detail: new RegExp(`runs as user "${user}" \\(root\\)`),
  })),
  {
    rule: "NAME2",
    offence: "two queues with one name (a worker jobs next to a worker jobs-dlq)",
    bad: (s) => {
      new SqsQueue(s, "jobs-dlq", { name: "sqs-app-jobs-dlq-test" });
      new SqsQueue(s, "jobs-dlq-main", { name: "sqs-app-jobs-dlq-test" });
    },
    good: (s) => {
      new SqsQueue(s, "jobs-dlq", { name: "sqs-app-jobs-dlq-test" });
      new SqsQueue(s, "jobs-dlq-main", { name: "sqs-app-jobs-dlq-dlq-test" });
    },
    detail: /name "sqs-app-jobs-dlq-test" is also the name of aws_sqs_queue\.jobs-dlq/,
  },
  {
    rule: "ECS7",
    offence: "a service assigning public IPs",
    bad: (s) => service(s, { networkConfiguration: { subnets: ["subnet-1"], assignPublicIp: true } }),
    good: (s) => service(s, {}),
    detail: /assign_public_ip is true/,
  },
  {
    rule: "ECS8",
    offence: "a cluster without Container Insights",
    bad: (s) => new EcsCluster(s, "cluster", { name: "ecs-cluster-app-test" }),
    good: (s) =>
      new EcsCluster(s, "cluster", {
        name: "ecs-cluster-app-test",
        setting: [{ name: "containerInsights", value: "enhanced" }],
      }),
    detail: /containerInsights is not enabled/,
  },
  {
    rule: "ECS9",
    offence: "container definitions hidden in a jsonencode expression",
    bad: (s) => taskDefinition(s, [], { containerDefinitions: Fn.jsonencode([goodContainer]) }),
    good: (s) => taskDefinition(s, [goodContainer]),
    detail: /not a literal JSON array/,
  },
  {
    rule: "ECR1",
    offence: "a repository that does not scan on push",
    bad: (s) => repo(s, { imageScanningConfiguration: { scanOnPush: false } }),
    good: (s) => repo(s),
    detail: /scan_on_push is not true/,
  },
  {
    rule: "ECR1",
    offence: "a repository without scan on push where no registry-wide scanning exists",
    bad: (s) => repo(s, { imageScanningConfiguration: { scanOnPush: false } }),
    good: (s) => {
      repo(s, { imageScanningConfiguration: { scanOnPush: false } });
      registryScanning(s, "ENHANCED", "CONTINUOUS_SCAN");
    },
    detail: /scan_on_push is not true/,
  },
  {
    rule: "ECR1",
    offence: "a repository without scan on push where registry scanning is manual only",
    bad: (s) => {
      repo(s, { imageScanningConfiguration: { scanOnPush: false } });
      registryScanning(s, "BASIC", "MANUAL");
    },
    good: (s) => {
      repo(s, { imageScanningConfiguration: { scanOnPush: false } });
      registryScanning(s, "BASIC", "SCAN_ON_PUSH");
    },
    detail: /scan_on_push is not true/,
  },
  {
    rule: "ECR2",
    offence: "a repository with mutable tags",
    bad: (s) => repo(s, { imageTagMutability: "MUTABLE" }),
    good: (s) => repo(s),
    detail: /image_tag_mutability is MUTABLE/,
  },
  {
    rule: "ECR3",
    offence: "a repository without a lifecycle policy",
    bad: (s) => repo(s),
    good: (s) => {
      const r = repo(s);
      new EcrLifecyclePolicy(s, "lifecycle", { repository: r.name, policy: "{}" });
    },
    detail: /no aws_ecr_lifecycle_policy/,
  },
  {
    rule: "ELB1",
    offence: "an ALB that forwards invalid header fields",
    bad: (s) => alb(s, { dropInvalidHeaderFields: false }),
    good: (s) => alb(s),
    detail: /drop_invalid_header_fields is not true/,
  },
  {
    rule: "ELB2",
    offence: "an HTTP listener forwarding next to an HTTPS listener",
    bad: (s) => {
      const lb = alb(s);
      httpsListener(s, lb);
      new LbListener(s, "http", {
        loadBalancerArn: lb.arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: forward,
      });
    },
    good: (s) => {
      const lb = alb(s);
      httpsListener(s, lb);
      new LbListener(s, "http", {
        loadBalancerArn: lb.arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: redirect,
      });
    },
    detail: /HTTP listener on port 80 does not redirect to HTTPS/,
  },
  {
    rule: "ELB2",
    offence: "a forwarding rule on the redirecting HTTP listener",
    bad: (s) => {
      const lb = alb(s);
      httpsListener(s, lb);
      const http = new LbListener(s, "http", {
        loadBalancerArn: lb.arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: redirect,
      });
      new LbListenerRule(s, "rule", {
        listenerArn: http.arn,
        action: forward,
        condition: [{ pathPattern: { values: ["/*"] } }],
      });
    },
    good: (s) => {
      const lb = alb(s);
      new LbListener(s, "http", {
        loadBalancerArn: lb.arn,
        port: 80,
        protocol: "HTTP",
        defaultAction: forward,
      });
    },
    detail: /listener rule on HTTP port 80 serves plain HTTP/,
  },
  {
    rule: "ELB3",
    offence: "an ALB without access logs",
    bad: (s) => alb(s, { accessLogs: undefined }),
    good: (s) => alb(s),
    detail: /access_logs.enabled is not true/,
  },
  {
    rule: "SG1",
    offence: "a task security group open to the internet",
    bad: (s) =>
      new SecurityGroup(s, "sg", {
        name: "secgroup-app-test",
        ingress: [{ fromPort: 8080, toPort: 8080, protocol: "tcp", cidrBlocks: ["0.0.0.0/0"] }],
      }),
    good: (s) => {
      const sg = new SecurityGroup(s, "sg", { name: "secgroup-alb-test" });
      alb(s, { securityGroups: [sg.id] });
      new VpcSecurityGroupIngressRule(s, "https", {
        securityGroupId: sg.id,
        cidrIpv4: "0.0.0.0/0",
        fromPort: 443,
        toPort: 443,
        ipProtocol: "tcp",
      });
    },
    detail: /ingress from 0.0.0.0\/0 on tcp 8080-8080 \(not a load balancer's security group\)/,
  },
  {
    rule: "SG1",
    offence: "a task security group opened to the internet in two halves (0.0.0.0/1 and 128.0.0.0/1)",
    bad: (s) =>
      new SecurityGroup(s, "sg", {
        name: "secgroup-app-test",
        ingress: [
          { fromPort: 8080, toPort: 8080, protocol: "tcp", cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] },
        ],
      }),
    good: (s) =>
      new SecurityGroup(s, "sg", {
        name: "secgroup-app-test",
        ingress: [
          { fromPort: 8080, toPort: 8080, protocol: "tcp", cidrBlocks: ["10.0.0.0/8", "203.0.113.0/24"] },
        ],
      }),
    detail: /ingress from 0\.0\.0\.0\/1, 128\.0\.0\.0\/1 on tcp 8080-8080/,
  },
  {
    rule: "SG1",
    offence: "a load balancer security group open to the internet beyond 80/443",
    bad: (s) => {
      const sg = new SecurityGroup(s, "sg", { name: "secgroup-alb-test" });
      alb(s, { securityGroups: [sg.id] });
      new SecurityGroupRule(s, "test-listener", {
        type: "ingress",
        securityGroupId: sg.id,
        cidrBlocks: ["0.0.0.0/0"],
        fromPort: 8443,
        toPort: 8443,
        protocol: "tcp",
      });
    },
    good: (s) => {
      const sg = new SecurityGroup(s, "sg", { name: "secgroup-alb-test" });
      alb(s, { securityGroups: [sg.id] });
      new SecurityGroupRule(s, "test-listener", {
        type: "ingress",
        securityGroupId: sg.id,
        cidrBlocks: ["10.0.0.0/16"],
        fromPort: 8443,
        toPort: 8443,
        protocol: "tcp",
      });
    },
    detail: /ingress from 0.0.0.0\/0 on tcp 8443-8443$/,
  },
  {
    rule: "SG1",
    offence: "a test listener opened to 40 x /8 in separate rules (more than a /8 together)",
    bad: (s) => {
      const sg = new SecurityGroup(s, "sg", { name: "secgroup-alb-test" });
      alb(s, { securityGroups: [sg.id] });
      for (let i = 0; i < 40; i++)
        new VpcSecurityGroupIngressRule(s, `test-listener-${i}`, {
          securityGroupId: sg.id,
          cidrIpv4: `${i + 11}.0.0.0/8`,
          fromPort: 8443,
          toPort: 8443,
          ipProtocol: "tcp",
        });
    },
    good: (s) => {
      const sg = new SecurityGroup(s, "sg", { name: "secgroup-alb-test" });
      alb(s, { securityGroups: [sg.id] });
      for (const [i, cidr] of ["11.0.0.0/9", "12.0.0.0/9", "10.0.0.0/8"].entries())
        new VpcSecurityGroupIngressRule(s, `test-listener-${i}`, {
          securityGroupId: sg.id,
          cidrIpv4: cidr,
          fromPort: 8443,
          toPort: 8443,
          ipProtocol: "tcp",
        });
    },
    detail:
      /ingress from 40 CIDRs admitting 671088640 public IPv4 addresses together \(more than a \/8, 16777216\) on tcp 8443-8443$/,
  },
  {
    rule: "VPC1",
    offence: "a VPC whose default security group is left open",
    bad: (s) => vpc(s),
    good: (s) => new DefaultSecurityGroup(s, "default-sg", { vpcId: vpc(s).id }),
    detail: /no aws_default_security_group/,
  },
  {
    rule: "VPC1",
    offence: "a default security group with rules",
    bad: (s) =>
      new DefaultSecurityGroup(s, "default-sg", {
        vpcId: vpc(s).id,
        egress: [{ fromPort: 0, toPort: 0, protocol: "-1", cidrBlocks: ["0.0.0.0/0"] }],
      }),
    good: (s) => new DefaultSecurityGroup(s, "default-sg", { vpcId: vpc(s).id }),
    detail: /has ingress or egress rules/,
  },
  {
    rule: "VPC2",
    offence: "a VPC without flow logs",
    bad: (s) => vpc(s),
    good: (s) => new FlowLog(s, "flow", { vpcId: vpc(s).id, trafficType: "ALL", logDestination: "arn:x" }),
    detail: /no aws_flow_log refers to this VPC/,
  },
  {
    rule: "KMS1",
    offence: "a symmetric key without rotation",
    bad: (s) => key(s, { enableKeyRotation: false }),
    good: (s) => {
      key(s);
      new KmsKey(s, "signing", {
        customerMasterKeySpec: "RSA_2048",
        keyUsage: "SIGN_VERIFY",
        deletionWindowInDays: 7,
      });
    },
    detail: /enable_key_rotation is not true/,
  },
  {
    rule: "LOG1",
    offence: "a log group without a KMS key",
    bad: (s) => new CloudwatchLogGroup(s, "logs", { name: "/ecs/app-test", retentionInDays: 30 }),
    good: (s) =>
      new CloudwatchLogGroup(s, "logs", { name: "/ecs/app-test", retentionInDays: 30, kmsKeyId: key(s).arn }),
    detail: /kms_key_id is not set/,
  },
  {
    rule: "LOG2",
    offence: "a log group kept forever",
    bad: (s) => new CloudwatchLogGroup(s, "logs", { name: "/ecs/app-test", kmsKeyId: ARN }),
    good: (s) =>
      new CloudwatchLogGroup(s, "logs", { name: "/ecs/app-test", kmsKeyId: ARN, retentionInDays: 30 }),
    detail: /retention_in_days is unset/,
  },
  {
    rule: "IAM1",
    offence: "a policy document granting service:*",
    bad: (s) => policy(s, ["s3:*"], ["arn:aws:s3:::bucket-test/*"]),
    good: (s) => policy(s, ["s3:GetObject", "ecr:BatchGet*"], ["arn:aws:s3:::bucket-test/*"]),
    detail: /statement Access allows s3:\*/,
  },
  {
    rule: "IAM1",
    offence: "a literal JSON role policy granting *",
    bad: (s) =>
      new IamRolePolicy(s, "inline", {
        role: "role-app-test",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
        }),
      }),
    good: (s) =>
      new IamRolePolicy(s, "inline", {
        role: "role-app-test",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: "sqs:SendMessage", Resource: "arn:aws:sqs:us-east-1:1:q-test" },
          ],
        }),
      }),
    detail: /allows \*/,
  },
  {
    rule: "IAM1",
    offence: "a literal JSON role policy with an interpolated ARN granting s3:*",
    bad: (s) =>
      new IamRolePolicy(s, "inline", {
        role: "role-app-test",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "Data",
              Effect: "Allow",
              Action: ["s3:*"],
              Resource: [`${new S3Bucket(s, "data", { bucket: "s3-data-test", forceDestroy: true }).arn}/*`],
            },
          ],
        }),
      }),
    good: (s) =>
      new IamRolePolicy(s, "inline", {
        role: "role-app-test",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "Data",
              Effect: "Allow",
              Action: ["s3:GetObject"],
              Resource: [`${new S3Bucket(s, "data", { bucket: "s3-data-test", forceDestroy: true }).arn}/*`],
            },
          ],
        }),
      }),
    detail: /statement Data allows s3:\*/,
  },
  {
    rule: "IAM1",
    offence: "an inline role policy allowing everything but IAM (NotAction)",
    bad: (s) =>
      new IamRole(s, "role", {
        name: "role-app-test",
        assumeRolePolicy: "{}",
        inlinePolicy: [
          {
            name: "inline",
            policy: JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", NotAction: "iam:*", Resource: "*" }],
            }),
          },
        ],
      }),
    good: (s) =>
      new IamRole(s, "role", {
        name: "role-app-test",
        assumeRolePolicy: "{}",
        inlinePolicy: [
          {
            name: "inline",
            policy: JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Effect: "Deny", NotAction: "iam:*", Resource: "*" }],
            }),
          },
        ],
      }),
    detail: /allows everything but iam:\* \(NotAction\)/,
  },
  {
    rule: "IAM2",
    offence: 'a scoped action granted on Resource "*"',
    bad: (s) => policy(s, ["s3:GetObject"], ["*"]),
    good: (s) => {
      policy(s, ["ecr:GetAuthorizationToken", "xray:PutTraceSegments"], ["*"]);
      // A key policy names principals: its "*" means "this key", not every resource.
      new DataAwsIamPolicyDocument(s, "key-policy", {
        statement: [
          {
            actions: ["kms:*"],
            resources: ["*"],
            principals: [{ type: "AWS", identifiers: ["arn:aws:iam::1:root"] }],
          },
        ],
      });
    },
    detail: /allows s3:GetObject on "\*"/,
  },
  {
    rule: "SM1",
    offence: "a secret on the AWS-managed key",
    bad: (s) => secret(s, { kmsKeyId: undefined }),
    good: (s) => secret(s),
    detail: /kms_key_id is not set/,
  },
  {
    rule: "SM2",
    offence: "a password generated by the random password data source",
    bad: (s) => new DataAwsSecretsmanagerRandomPassword(s, "password", { passwordLength: 32 }),
    good: (s) =>
      s.addOverride("ephemeral.aws_secretsmanager_random_password.password", { password_length: 32 }),
    detail: /generates a password whose value becomes the data source's id/,
  },
  {
    rule: "SM3",
    offence: "a service task definition injecting the RDS master secret",
    bad: (s) =>
      taskDefinition(s, [
        {
          ...goodContainer,
          secrets: [
            {
              name: "DB_PASSWORD",
              valueFrom: "${aws_rds_cluster.db.master_user_secret[0].secret_arn}:password::",
            },
          ],
        },
      ]),
    good: (s) =>
      new EcsTaskDefinition(new Construct(s, "database-bootstrap"), "task", {
        family: "task-app-db-bootstrap-test",
        cpu: "256",
        memory: "512",
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        containerDefinitions: JSON.stringify([
          {
            ...goodContainer,
            secrets: [
              {
                name: "PGPASSWORD",
                valueFrom: "${aws_rds_cluster.db.master_user_secret[0].secret_arn}:password::",
              },
            ],
          },
        ]),
      }),
    detail: /injects the RDS master user secret/,
  },
  {
    rule: "RDS1",
    offence: "an unencrypted Aurora cluster",
    bad: (s) => cluster(s, { storageEncrypted: false }),
    good: (s) => cluster(s),
    detail: /storage_encrypted is not true/,
  },
  {
    rule: "RDS2",
    offence: "a publicly accessible database instance",
    bad: (s) =>
      new RdsClusterInstance(s, "writer", {
        identifier: "aurora-app-1-test",
        clusterIdentifier: cluster(s).id,
        instanceClass: "db.serverless",
        engine: "aurora-postgresql",
        publiclyAccessible: true,
      }),
    good: (s) =>
      new RdsClusterInstance(s, "writer", {
        identifier: "aurora-app-1-test",
        clusterIdentifier: cluster(s).id,
        instanceClass: "db.serverless",
        engine: "aurora-postgresql",
      }),
    detail: /publicly_accessible is true/,
  },
  {
    rule: "NAME1",
    offence: "a name without the environment suffix",
    bad: (s) => new EcsCluster(s, "cluster", { name: "ecs-cluster-app", setting: [] }),
    good: (s) => new EcsCluster(s, "cluster", { name: "ecs-cluster-app-test", setting: [] }),
    detail: /name "ecs-cluster-app" does not contain the environment suffix "test"/,
  },
  {
    rule: "NAME1",
    offence: "an ALB name over the 32-character limit",
    bad: (s) => alb(s, { name: "alb-a-very-long-trading-name-test" }),
    good: (s) => alb(s, { name: "alb-trading-test" }),
    detail: /is 33 characters; AWS allows 32/,
  },
  {
    rule: "NAME1",
    offence: "a Name tag without the environment suffix",
    bad: (s) => new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16", tags: { Name: "vpc-app" } }),
    good: (s) => vpc(s),
    detail: /tags.Name "vpc-app" does not contain/,
  },
  {
    rule: "TAG1",
    offence: "a provider whose default tags lack CostCenter",
    badTags: { Environment: "test", Team: "platform", Project: "guardrails" },
    bad: () => undefined,
    good: () => undefined,
    detail: /default_tags lack CostCenter/,
  },
  {
    rule: "TAG1",
    offence: "a resource blanking a required tag",
    bad: (s) => new Vpc(s, "vpc", { cidrBlock: "10.0.0.0/16", tags: { Name: "vpc-app-test", Team: "" } }),
    good: (s) => vpc(s),
    detail: /tags override Team with an empty value/,
  },
  {
    rule: "DST1",
    offence: "a resource with prevent_destroy",
    bad: (s) =>
      new CloudwatchLogGroup(s, "logs", {
        name: "/ecs/app-test",
        kmsKeyId: ARN,
        retentionInDays: 30,
        lifecycle: { preventDestroy: true },
      }),
    good: (s) =>
      new CloudwatchLogGroup(s, "logs", { name: "/ecs/app-test", kmsKeyId: ARN, retentionInDays: 30 }),
    detail: /lifecycle.prevent_destroy is true/,
  },
  {
    rule: "DST2",
    offence: "a repository without force_delete",
    bad: (s) => repo(s, { forceDelete: undefined }),
    good: (s) => repo(s),
    detail: /force_delete is unset/,
  },
  {
    rule: "DST3",
    offence: "a bucket without force_destroy",
    bad: (s) => new S3Bucket(s, "logs", { bucket: "s3-logs-test" }),
    good: (s) => new S3Bucket(s, "logs", { bucket: "s3-logs-test", forceDestroy: true }),
    detail: /force_destroy is unset/,
  },
  {
    rule: "DST4",
    offence: "an ALB with deletion protection",
    bad: (s) => alb(s, { enableDeletionProtection: true }),
    good: (s) => alb(s, { enableDeletionProtection: false }),
    detail: /enable_deletion_protection is true/,
  },
  {
    rule: "DST5",
    offence: "a database with deletion protection",
    bad: (s) => cluster(s, { deletionProtection: true }),
    good: (s) => cluster(s),
    detail: /deletion_protection is true/,
  },
  {
    rule: "DST6",
    offence: "a database that takes a final snapshot",
    bad: (s) =>
      new DbInstance(s, "db", {
        identifier: "db-app-test",
        instanceClass: "db.t4g.micro",
        storageEncrypted: true,
        finalSnapshotIdentifier: "final-test",
      }),
    good: (s) =>
      new DbInstance(s, "db", {
        identifier: "db-app-test",
        instanceClass: "db.t4g.micro",
        storageEncrypted: true,
        skipFinalSnapshot: true,
      }),
    detail: /skip_final_snapshot is unset/,
  },
  {
    rule: "DST7",
    offence: "a secret with the default 30-day recovery window",
    bad: (s) => secret(s, { recoveryWindowInDays: undefined }),
    good: (s) => secret(s),
    detail: /recovery_window_in_days is unset \(30\)/,
  },
  {
    rule: "DST8",
    offence: "a KMS key with a 30-day deletion window",
    bad: (s) => key(s, { deletionWindowInDays: 30 }),
    good: (s) => key(s),
    detail: /deletion_window_in_days is 30/,
  },
  {
    rule: "DST9",
    offence: "an ECS service without force_delete",
    bad: (s) => service(s, { forceDelete: undefined }),
    good: (s) => service(s, {}),
    detail: /force_delete is unset/,
  },
  {
    rule: "DST10",
    offence: "a Cloud Map service without force_destroy",
    bad: (s) => new ServiceDiscoveryService(s, "discovery", { name: "app-test" }),
    good: (s) => new ServiceDiscoveryService(s, "discovery", { name: "app-test", forceDestroy: true }),
    detail: /force_destroy is unset/,
  },
  {
    rule: "PRS1",
    lifecycle: "persistent",
    offence: "a persistent environment's repository without prevent_destroy",
    bad: (s) => repo(s, { forceDelete: false }),
    good: (s) => repo(s, { forceDelete: false, lifecycle: KEEP }),
    detail: /lifecycle.prevent_destroy is not set/,
  },
  {
    rule: "PRS2",
    lifecycle: "persistent",
    offence: "a persistent environment's repository with force_delete",
    bad: (s) => repo(s, { lifecycle: KEEP }),
    good: (s) => repo(s, { forceDelete: false, lifecycle: KEEP }),
    detail: /force_delete is true/,
  },
  {
    rule: "PRS3",
    lifecycle: "persistent",
    offence: "a persistent environment's bucket with force_destroy",
    bad: (s) => new S3Bucket(s, "logs", { bucket: "s3-logs-test", forceDestroy: true }),
    good: (s) => new S3Bucket(s, "logs", { bucket: "s3-logs-test" }),
    detail: /force_destroy is true/,
  },
  {
    rule: "PRS4",
    lifecycle: "persistent",
    offence: "a persistent environment's ALB without deletion protection",
    bad: (s) => alb(s),
    good: (s) => alb(s, { enableDeletionProtection: true }),
    detail: /enable_deletion_protection is unset \(false\)/,
  },
  {
    rule: "PRS5",
    lifecycle: "persistent",
    offence: "a persistent environment's database without deletion protection",
    bad: (s) => cluster(s, { lifecycle: KEEP }),
    good: (s) => cluster(s, { deletionProtection: true, lifecycle: KEEP }),
    detail: /deletion_protection is unset \(false\)/,
  },
  {
    rule: "PRS6",
    lifecycle: "persistent",
    offence: "a persistent environment's database that skips the final snapshot",
    bad: (s) => cluster(s, { lifecycle: KEEP }),
    good: (s) =>
      cluster(s, {
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: "aurora-app-final-test",
        deleteAutomatedBackups: false,
        lifecycle: KEEP,
      }),
    detail: /skip_final_snapshot is true/,
  },
  {
    rule: "PRS6",
    lifecycle: "retiring",
    offence: "a retiring environment's database whose delete would take its automated backups",
    bad: (s) => cluster(s, { skipFinalSnapshot: false, finalSnapshotIdentifier: "aurora-app-final-test" }),
    good: (s) =>
      cluster(s, {
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: "aurora-app-final-test",
        deleteAutomatedBackups: false,
      }),
    detail: /delete_automated_backups is unset \(true\)/,
  },
  {
    rule: "PRS1",
    lifecycle: "persistent",
    offence: "a persistent environment's load balancer without prevent_destroy",
    bad: (s) => alb(s, { enableDeletionProtection: true }),
    good: (s) => alb(s, { enableDeletionProtection: true, lifecycle: KEEP }),
    detail: /lifecycle\.prevent_destroy is not set/,
  },
  {
    rule: "PRS7",
    lifecycle: "persistent",
    offence: "a persistent environment's secret deleted without a recovery window",
    bad: (s) => secret(s, { lifecycle: KEEP }),
    good: (s) => secret(s, { recoveryWindowInDays: undefined, lifecycle: KEEP }),
    detail: /recovery_window_in_days is 0/,
  },
  {
    rule: "PRS8",
    lifecycle: "persistent",
    offence: "a persistent environment's KMS key with a 7-day deletion window",
    bad: (s) => key(s, { lifecycle: KEEP }),
    good: (s) => key(s, { deletionWindowInDays: 30, lifecycle: KEEP }),
    detail: /deletion_window_in_days is 7/,
  },
];

describe.each(CASES)("rule $rule", ({ rule, offence, bad, good, detail, badTags, lifecycle }) => {
  test(`fires on ${offence}`, () => {
    const fired = findingsOf(reportFor(bad, { lifecycle }, badTags)).filter((f) => f.rule.id === rule);
    expect(fired.map((f) => f.detail)).toEqual(expect.arrayContaining([expect.stringMatching(detail)]));
  });

  test(`passes the clean counterpart of ${offence}`, () => {
    const fired = findingsOf(reportFor(good, { lifecycle }, TAGS)).filter((f) => f.rule.id === rule);
    expect(fired.map((f) => f.detail)).toEqual([]);
  });
});

describe("lifecycle profiles", () => {
  const ids = (lifecycle: "ephemeral" | "persistent" | "retiring", build: (s: TerraformStack) => void) =>
    [...new Set(findingsOf(reportFor(build, { lifecycle })).map((f) => f.rule.id))].sort();
  // One resource of each stateful kind, built for the other profile.
  const ephemeralBuild = (s: TerraformStack) => {
    repo(s);
    alb(s);
    cluster(s);
    secret(s);
    key(s);
  };
  const persistentBuild = (s: TerraformStack) => {
    repo(s, { forceDelete: false, lifecycle: KEEP });
    alb(s, { enableDeletionProtection: true, lifecycle: KEEP });
    cluster(s, {
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "aurora-app-final-test",
      deleteAutomatedBackups: false,
      lifecycle: KEEP,
    });
    secret(s, { recoveryWindowInDays: undefined, lifecycle: KEEP });
    key(s, { deletionWindowInDays: 30, lifecycle: KEEP });
  };
  const lifecycleRules = /^(DST[1-8]|PRS\d)$/;

  test("an ephemeral environment is checked by DST1-DST8 only: protected resources fail them", () => {
    expect(ids("ephemeral", ephemeralBuild).filter((id) => lifecycleRules.test(id))).toEqual([]);
    expect(ids("ephemeral", persistentBuild).filter((id) => lifecycleRules.test(id))).toEqual(
      ["DST1", "DST2", "DST4", "DST5", "DST6", "DST7", "DST8"].sort(),
    );
  });

  test("a persistent environment is checked by the mirrors PRS1-PRS8 only: destroyable resources fail them", () => {
    expect(ids("persistent", persistentBuild).filter((id) => lifecycleRules.test(id))).toEqual([]);
    expect(ids("persistent", ephemeralBuild).filter((id) => lifecycleRules.test(id))).toEqual(
      ["PRS1", "PRS2", "PRS4", "PRS5", "PRS6", "PRS7", "PRS8"].sort(),
    );
  });

  test("a retiring environment runs what lets the destroy run and what keeps the data", () => {
    const retiring = (id: string) => [RULES.find((r) => r.id === id)?.profile].flat().includes("retiring");
    expect(
      RULES.filter((r) => r.profile !== undefined && retiring(r.id))
        .map((r) => r.id)
        .sort(),
    ).toEqual(["DST1", "DST3", "DST4", "DST5", "PRS2", "PRS6", "PRS7", "PRS8"].sort());
  });

  test("every DST rule but the force-delete ones of ECS and Cloud Map has a persistent mirror", () => {
    const byProfile = (p: string) =>
      RULES.filter((r) => [r.profile].flat().includes(p as never)).map((r) => r.id.slice(3));
    expect(byProfile("persistent")).toEqual(byProfile("ephemeral"));
    expect(RULES.filter((r) => r.category === "destroyability" && !r.profile).map((r) => r.id)).toEqual([
      "DST9",
      "DST10",
    ]);
  });
});

describe("rule registry", () => {
  test("every rule has a test case that makes it fire", () => {
    const tested = new Set(CASES.map((c) => c.rule));
    expect(RULES.map((r) => r.id).filter((id) => !tested.has(id))).toEqual([]);
  });

  test("rule ids are unique", () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  test("every rule has a one-line info and an explanation of the fix", () => {
    for (const r of RULES) {
      expect(r.info).not.toMatch(/\n/);
      expect(r.explanation.length).toBeGreaterThan(r.info.length);
    }
  });

  test("rules map to their Security Hub controls", () => {
    const controls = Object.fromEntries(RULES.map((r) => [r.id, r.control]));
    expect(controls).toMatchObject({
      ECS1: "ECS.4",
      ECS4: "ECS.5",
      ECS7: "ECS.2",
      ECS8: "ECS.12",
      ECR1: "ECR.1",
      ECR2: "ECR.2",
      ECR3: "ECR.3",
      ELB1: "ELB.4",
      ELB2: "ELB.1",
      ELB3: "ELB.5",
      VPC1: "EC2.2",
      VPC2: "EC2.6",
      KMS1: "KMS.4",
      RDS2: "RDS.2",
    });
  });
});
