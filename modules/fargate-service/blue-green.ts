/**
 * CodeDeploy blue/green for a `web` service: the ECS application, its service role, the
 * deployment group that shifts traffic between the blue and green target groups of
 * `WebTraffic`, and the CloudWatch alarms that stop and roll back a bad deployment.
 *
 * AWS constraints this relies on (checked by CodeDeploy at deployment time, not by Terraform):
 * the ECS service uses `deployment_controller = CODE_DEPLOY` and starts with its
 * `load_balancer` on the blue target group; the group names the two target groups by NAME; the
 * production listener (and the optional test listener) must forward to blue before the first
 * deployment; at most 10 alarms per deployment group.
 */
import { Construct } from "constructs";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { CodedeployApp } from "@cdktf/provider-aws/lib/codedeploy-app";
import { CodedeployDeploymentGroup } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import { awsContext, serviceTrustDocument } from "../stack-shared";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { ServiceConfig } from "../../config/schema";
import type { Naming } from "../naming";
import type { TargetGroupColor } from "./web-traffic";
import { ValidationError } from "../errors";

export interface BlueGreenDeploymentProps {
  readonly naming: Naming;
  /** Service name in the config. */
  readonly serviceName: string;
  readonly clusterName: string;
  /** The EcsService's `.name` token: referencing it orders the group after the service. */
  readonly ecsServiceName: string;
  /** The service's two target groups. */
  readonly targetGroups: Readonly<Record<TargetGroupColor, LbTargetGroup>>;
  readonly productionListenerArn: string;
  readonly testListenerArn: string;
  readonly deployment: ServiceConfig["deployment"];
  /** What the 5xx and unhealthy-host alarms watch (4 alarms; at most 10 per deployment group). */
  readonly gate: Omit<DeploymentGateAlarmsProps, "naming" | "serviceName" | "targetGroups" | "controller">;
  /** The new revision's other health alarms (app error logs), also stopping a deployment. @default [] */
  readonly revisionAlarmNames?: readonly string[];
}

export interface DeploymentGateAlarmsProps {
  readonly naming: Naming;
  readonly serviceName: string;
  /** `app/<name>/<id>` of the ALB: the `LoadBalancer` dimension of the target group metrics. */
  readonly loadBalancerArnSuffix: string;
  /** Target groups watched (blue and green: either may be the one taking traffic). */
  readonly targetGroups: Readonly<Partial<Record<TargetGroupColor, LbTargetGroup>>>;
  readonly healthCheck: ServiceConfig["healthCheck"];
  /** Who acts on the alarms (goes into the description). */
  readonly controller: "CodeDeploy" | "ECS";
  /** Target 5xx responses per minute, per target group, that stop a deployment. @default 5 */
  readonly http5xxThreshold?: number;
}

/** Period of the deployment gate alarms. */
export const GATE_ALARM_PERIOD_SECONDS = 60;

/**
 * One-minute periods the unhealthy-host alarm must see breaching, in a row, before it fires, so
 * that a task set that is still starting cannot trip it. A new task may fail ALB health checks
 * for its whole grace period (the blueprint's statement of how long a start takes) and then
 * needs `healthyThreshold` passing checks, up to one more interval apart because of where in an
 * interval it came up: W = grace + (healthyThreshold + 1) x interval seconds of possibly
 * unhealthy targets. A window of W seconds touches at most ceil(W / 60) + 1 one-minute
 * datapoints, so one more than that is never reached by a healthy start.
 */
export function unhealthyAlarmPeriods(hc: ServiceConfig["healthCheck"]): number {
  const startingSeconds = hc.gracePeriodSeconds + (hc.healthyThreshold + 1) * hc.intervalSeconds;
  return Math.ceil(startingSeconds / GATE_ALARM_PERIOD_SECONDS) + 2;
}

/** The alarms gating a deployment, per target group: what they watch and when they fire. */
const deploymentAlarms = (http5xxThreshold: number, hc: ServiceConfig["healthCheck"]) =>
  [
    {
      id: "5xx",
      metricName: "HTTPCode_Target_5XX_Count",
      statistic: "Sum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: http5xxThreshold,
      periods: 2,
      description: "target 5xx responses",
    },
    {
      // A target failing the ALB health check for longer than any healthy start takes.
      id: "unhealthy",
      metricName: "UnHealthyHostCount",
      statistic: "Maximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      periods: unhealthyAlarmPeriods(hc),
      description: "targets failing the ALB health check",
    },
  ] as const;

/**
 * The CloudWatch alarms that stop and roll back a blue/green deployment (CodeDeploy's
 * deployment group or an ECS-native service's `alarms`): target 5xx and unhealthy hosts of each
 * target group, created in `scope` (ids `<color>-<5xx|unhealthy>`).
 */
export function createGateAlarms(
  scope: Construct,
  props: DeploymentGateAlarmsProps,
): CloudwatchMetricAlarm[] {
  const { naming, serviceName } = props;
  const http5xxThreshold = props.http5xxThreshold ?? 5;
  if (!Number.isInteger(http5xxThreshold) || http5xxThreshold < 1) {
    throw new ValidationError(
      `services.${serviceName}: http5xxThreshold ${http5xxThreshold} must be a whole number of at least 1`,
    );
  }
  // Both colours are watched: after a deployment green serves production and the next
  // deployment shifts traffic back to blue, so either may be the one taking traffic.
  return Object.entries(props.targetGroups).flatMap(([color, tg]) =>
    deploymentAlarms(http5xxThreshold, props.healthCheck).map(
      (a) =>
        new CloudwatchMetricAlarm(scope, `${color}-${a.id}`, {
          alarmName: naming.name("alarm", `${serviceName}-${color}-${a.id}`),
          alarmDescription: `${serviceName} ${color} target group: ${a.description} (stops and rolls back a ${props.controller} deployment)`,
          namespace: "AWS/ApplicationELB",
          metricName: a.metricName,
          dimensions: { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: tg!.arnSuffix },
          statistic: a.statistic,
          period: GATE_ALARM_PERIOD_SECONDS,
          evaluationPeriods: a.periods,
          datapointsToAlarm: a.periods,
          comparisonOperator: a.comparisonOperator,
          threshold: a.threshold,
          // An idle target group (the colour not serving) has no data; that is not a failure.
          treatMissingData: "notBreaching",
        }),
    ),
  );
}

export class BlueGreenDeployment extends Construct {
  readonly application: CodedeployApp;
  readonly deploymentGroup: CodedeployDeploymentGroup;
  /** Service role CodeDeploy assumes to create task sets and rewrite listener rules. */
  readonly role: IamRole;
  /** 5xx and unhealthy-host alarms of the blue and the green target group. */
  readonly alarms: CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: BlueGreenDeploymentProps) {
    super(scope, id);
    const { naming, serviceName, deployment } = props;

    this.application = new CodedeployApp(this, "application", {
      name: naming.name("codedeployApp", serviceName),
      computePlatform: "ECS",
    });

    const partition = awsContext(this).partition;
    // The same trust policy for every service: one data source for the stack.
    const trust = serviceTrustDocument(this, "codedeploy-trust", "codedeploy.amazonaws.com");
    this.role = new IamRole(this, "role", {
      name: naming.name("iamRole", `${serviceName}-codedeploy`),
      assumeRolePolicy: trust.json,
    });
    // The AWS-managed policy for ECS blue/green. Its Describe*/Modify* ELB and ECS task set
    // actions are on "*" (CodeDeploy discovers listener rules at deployment time); iam:PassRole
    // is limited to ecs-tasks.amazonaws.com by the policy's own condition.
    const managedPolicy = new IamRolePolicyAttachment(this, "ecs-policy", {
      role: this.role.name,
      policyArn: `arn:${partition}:iam::aws:policy/AWSCodeDeployRoleForECS`,
    });

    const targetGroups = props.targetGroups;
    this.alarms = createGateAlarms(this, {
      ...props.gate,
      naming,
      serviceName,
      targetGroups,
      controller: "CodeDeploy",
    });
    this.deploymentGroup = new CodedeployDeploymentGroup(this, "group", {
      appName: this.application.name,
      deploymentGroupName: naming.name("codedeployGroup", serviceName),
      serviceRoleArn: this.role.arn,
      deploymentConfigName: deployment.codedeployConfig,
      deploymentStyle: { deploymentType: "BLUE_GREEN", deploymentOption: "WITH_TRAFFIC_CONTROL" },
      blueGreenDeploymentConfig: {
        // Shift as soon as green is healthy; wait_time_in_minutes applies only to STOP_DEPLOYMENT.
        deploymentReadyOption: { actionOnTimeout: "CONTINUE_DEPLOYMENT" },
        // The wait keeps blue tasks running as the rollback window after traffic has shifted.
        terminateBlueInstancesOnDeploymentSuccess: {
          action: "TERMINATE",
          terminationWaitTimeInMinutes: deployment.terminationWaitMinutes,
        },
      },
      ecsService: { clusterName: props.clusterName, serviceName: props.ecsServiceName },
      loadBalancerInfo: {
        targetGroupPairInfo: {
          prodTrafficRoute: { listenerArns: [props.productionListenerArn] },
          testTrafficRoute: { listenerArns: [props.testListenerArn] },
          // CodeDeploy identifies the pair by name, not ARN.
          targetGroup: [{ name: targetGroups.blue.name }, { name: targetGroups.green.name }],
        },
      },
      autoRollbackConfiguration: {
        enabled: true,
        events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"],
      },
      alarmConfiguration: {
        enabled: true,
        // At most 10 alarms per deployment group: 4 target group alarms and the revision's.
        alarms: [...this.alarms.map((a) => a.alarmName), ...(props.revisionAlarmNames ?? [])],
      },
      // CreateDeploymentGroup checks the role's permissions; attach the policy first.
      dependsOn: [managedPolicy],
    });
  }
}
