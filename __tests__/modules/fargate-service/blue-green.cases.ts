import "cdktf/lib/testing/adapters/jest";
import { Testing } from "cdktf";
import { Construct } from "constructs";
import { ServiceSchema } from "../../../config/schema";
import {
  BlueGreenDeployment,
  BlueGreenDeploymentProps,
  unhealthyAlarmPeriods,
} from "../../../modules/fargate-service/blue-green";
import { WebTraffic } from "../../../modules/fargate-service/web-traffic";
import { Naming } from "../../../modules/naming";
import type { Json } from "../../support/synth";

const PROD = "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/alb/1/prod";
const TEST = "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/alb/1/test";

const service = ServiceSchema.parse({
  kind: "web",
  cpu: 256,
  memory: 512,
  paths: ["/api/*"],
  deployment: {
    codedeployConfig: "CodeDeployDefault.ECSCanary10Percent5Minutes",
    terminationWaitMinutes: 15,
  },
});

function build(scope: Construct, overrides: Partial<BlueGreenDeploymentProps> = {}): BlueGreenDeployment {
  const naming = new Naming("trading", "test");
  const traffic = new WebTraffic(scope, "traffic", {
    naming,
    serviceName: "api-gateway",
    vpcId: "vpc-0123",
    port: 8080,
    healthCheck: service.healthCheck,
    paths: service.paths,
    priority: 10,
    productionListenerArn: PROD,
    testListenerArn: TEST,
    strategy: "codedeploy",
    deregistrationDelaySeconds: 30,
  });
  return new BlueGreenDeployment(scope, "bg", {
    naming,
    serviceName: "api-gateway",
    clusterName: "ecs-cluster-trading-test",
    ecsServiceName: "ecs-svc-api-gateway-test",
    targetGroups: { blue: traffic.blue, green: traffic.green! },
    productionListenerArn: PROD,
    testListenerArn: TEST,
    deployment: service.deployment,
    gate: { loadBalancerArnSuffix: "app/alb-trading-test/abc", healthCheck: service.healthCheck },
    ...overrides,
  });
}

const synth = (overrides: Partial<BlueGreenDeploymentProps> = {}): Json =>
  JSON.parse(Testing.synthScope((scope) => build(scope, overrides)));

const only = (out: Json, type: string): [string, Json] => {
  const entries = Object.entries(out.resource[type] ?? {});
  if (entries.length !== 1) throw new Error(`expected one ${type}, found ${entries.length}`);
  return entries[0] as [string, Json];
};

describe("BlueGreenDeployment", () => {
  const out = synth();
  const [appId, app] = only(out, "aws_codedeploy_app");
  const [, group] = only(out, "aws_codedeploy_deployment_group");
  const [roleId, role] = only(out, "aws_iam_role");
  const alarms: Record<string, Json> = out.resource.aws_cloudwatch_metric_alarm;
  const tgIds = Object.keys(out.resource.aws_lb_target_group);
  const tgId = (color: string) => tgIds.find((k) => k.includes(color))!;

  test("creates an ECS CodeDeploy application named by the naming module", () => {
    expect(app).toEqual({ name: "cd-app-trading-api-gateway-test", compute_platform: "ECS" });
  });

  test("deployment group belongs to the application and uses the CodeDeploy role", () => {
    expect(group.app_name).toBe(`\${aws_codedeploy_app.${appId}.name}`);
    expect(group.deployment_group_name).toBe("cd-group-api-gateway-test");
    expect(group.service_role_arn).toBe(`\${aws_iam_role.${roleId}.arn}`);
  });

  test("deployment group uses the configured ECS deployment config", () => {
    expect(group.deployment_config_name).toBe("CodeDeployDefault.ECSCanary10Percent5Minutes");
  });

  test("deployment group is blue/green with traffic control", () => {
    expect(group.deployment_style).toEqual({
      deployment_type: "BLUE_GREEN",
      deployment_option: "WITH_TRAFFIC_CONTROL",
    });
  });

  test("green takes traffic when ready and blue is terminated after the configured wait", () => {
    expect(group.blue_green_deployment_config).toEqual({
      deployment_ready_option: { action_on_timeout: "CONTINUE_DEPLOYMENT" },
      terminate_blue_instances_on_deployment_success: {
        action: "TERMINATE",
        termination_wait_time_in_minutes: 15,
      },
    });
  });

  test("deployment group targets the service in its cluster", () => {
    expect(group.ecs_service).toEqual({
      cluster_name: "ecs-cluster-trading-test",
      service_name: "ecs-svc-api-gateway-test",
    });
  });

  test("deployment group names the service's two target groups and both listeners", () => {
    expect(group.load_balancer_info.target_group_pair_info).toEqual({
      prod_traffic_route: { listener_arns: [PROD] },
      test_traffic_route: { listener_arns: [TEST] },
      target_group: [
        { name: `\${aws_lb_target_group.${tgId("blue")}.name}` },
        { name: `\${aws_lb_target_group.${tgId("green")}.name}` },
      ],
    });
  });

  test("rolls back automatically on failure and on alarm", () => {
    expect(group.auto_rollback_configuration).toEqual({
      enabled: true,
      events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
    });
  });

  test("attaches all four alarms to the deployment group", () => {
    expect(group.alarm_configuration.enabled).toBe(true);
    expect(group.alarm_configuration.alarms.sort()).toEqual(
      Object.keys(alarms)
        .map((id) => `\${aws_cloudwatch_metric_alarm.${id}.alarm_name}`)
        .sort(),
    );
  });

  test("watches 5xx and unhealthy hosts on both the blue and the green target group", () => {
    const watched = Object.values(alarms).map((a) => `${a.metric_name} ${a.dimensions.TargetGroup}`);
    expect(watched.sort()).toEqual(
      ["blue", "green"]
        .flatMap((c) => [
          `HTTPCode_Target_5XX_Count \${aws_lb_target_group.${tgId(c)}.arn_suffix}`,
          `UnHealthyHostCount \${aws_lb_target_group.${tgId(c)}.arn_suffix}`,
        ])
        .sort(),
    );
  });

  test("alarms read ALB target-group metrics of this load balancer", () => {
    for (const a of Object.values(alarms)) {
      expect(a.namespace).toBe("AWS/ApplicationELB");
      expect(a.dimensions.LoadBalancer).toBe("app/alb-trading-test/abc");
    }
  });

  test("alarms treat missing data as not breaching (an idle colour has no traffic)", () => {
    for (const a of Object.values(alarms)) expect(a.treat_missing_data).toBe("notBreaching");
  });

  test("5xx alarms fire on the threshold count per minute, unhealthy alarms on any unhealthy host", () => {
    const byMetric = (m: string) => Object.values(alarms).filter((a) => a.metric_name === m);
    for (const a of byMetric("HTTPCode_Target_5XX_Count")) {
      expect(a).toMatchObject({
        statistic: "Sum",
        period: 60,
        threshold: 5,
        comparison_operator: "GreaterThanOrEqualToThreshold",
      });
    }
    for (const a of byMetric("UnHealthyHostCount")) {
      expect(a).toMatchObject({
        statistic: "Maximum",
        threshold: 0,
        comparison_operator: "GreaterThanThreshold",
      });
    }
  });

  test("alarm names come from the naming module", () => {
    expect(
      Object.values(alarms)
        .map((a) => a.alarm_name)
        .sort(),
    ).toEqual([
      "alarm-trading-api-gateway-blue-5xx-test",
      "alarm-trading-api-gateway-blue-unhealthy-test",
      "alarm-trading-api-gateway-green-5xx-test",
      "alarm-trading-api-gateway-green-unhealthy-test",
    ]);
  });

  test("CodeDeploy role is assumable only by CodeDeploy", () => {
    const [trustId, trust] = Object.entries(out.data.aws_iam_policy_document)[0] as [string, Json];
    expect(role.assume_role_policy).toBe(`\${data.aws_iam_policy_document.${trustId}.json}`);
    expect(role.name).toBe("role-trading-api-gateway-codedeploy-test");
    expect(trust.statement).toEqual([
      {
        effect: "Allow",
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["codedeploy.amazonaws.com"] }],
      },
    ]);
  });

  test("CodeDeploy role carries AWSCodeDeployRoleForECS in the current partition", () => {
    const [attachmentId, attachment] = only(out, "aws_iam_role_policy_attachment");
    const partitionId = Object.keys(out.data.aws_partition)[0];
    expect(attachment.role).toBe(`\${aws_iam_role.${roleId}.name}`);
    expect(attachment.policy_arn).toBe(
      `arn:\${data.aws_partition.${partitionId}.partition}:iam::aws:policy/AWSCodeDeployRoleForECS`,
    );
    expect(group.depends_on).toEqual([`aws_iam_role_policy_attachment.${attachmentId}`]);
  });
});

describe("BlueGreenDeployment options", () => {
  test("uses a configured 5xx threshold", () => {
    const out = synth({
      gate: { loadBalancerArnSuffix: "app/alb", healthCheck: service.healthCheck, http5xxThreshold: 20 },
    });
    const fiveXx = Object.values(out.resource.aws_cloudwatch_metric_alarm as Record<string, Json>).filter(
      (a) => a.metric_name === "HTTPCode_Target_5XX_Count",
    );
    expect(fiveXx.map((a) => a.threshold)).toEqual([20, 20]);
  });

  test("fails when the 5xx threshold is below 1", () => {
    expect(() =>
      synth({
        gate: { loadBalancerArnSuffix: "app/alb", healthCheck: service.healthCheck, http5xxThreshold: 0 },
      }),
    ).toThrow(/services\.api-gateway: http5xxThreshold 0 must be a whole number of at least 1/);
  });
});

describe("unhealthy-host rollback alarm", () => {
  const hc = (over: Partial<typeof service.healthCheck>) => ({ ...service.healthCheck, ...over });

  test("needs more breaching minutes than a start within the grace period and the healthy checks can touch", () => {
    // 60 s grace + (3 + 1) x 30 s = 180 s of possibly unhealthy targets: at most 4 datapoints.
    expect(
      unhealthyAlarmPeriods(hc({ gracePeriodSeconds: 60, healthyThreshold: 3, intervalSeconds: 30 })),
    ).toBe(5);
    // 0 s grace + (2 + 1) x 10 s = 30 s: at most 2 datapoints.
    expect(
      unhealthyAlarmPeriods(hc({ gracePeriodSeconds: 0, healthyThreshold: 2, intervalSeconds: 10 })),
    ).toBe(3);
  });

  test("grows with the grace period", () => {
    expect(unhealthyAlarmPeriods(hc({ gracePeriodSeconds: 600 }))).toBeGreaterThan(
      unhealthyAlarmPeriods(hc({ gracePeriodSeconds: 60 })),
    );
  });

  test("the synthesized alarm needs that many breaching datapoints in a row", () => {
    const alarms = Object.values(synth().resource.aws_cloudwatch_metric_alarm as Record<string, Json>).filter(
      (a) => a.metric_name === "UnHealthyHostCount",
    );
    expect(alarms).toHaveLength(2);
    for (const a of alarms) {
      expect(a.evaluation_periods).toBe(unhealthyAlarmPeriods(service.healthCheck));
      expect(a.datapoints_to_alarm).toBe(a.evaluation_periods);
    }
  });
});
