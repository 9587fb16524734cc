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
import { awsContext, sharedPolicyDocument } from "../stack-shared";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { ServiceConfig } from "../../config/schema";
import type { Naming } from "../naming";
import type { TargetGroupColor, WebTraffic } from "./web-traffic";

export interface BlueGreenDeploymentProps {
  readonly naming: Naming;
  /** Service name in the config. */
  readonly serviceName: string;
  readonly clusterName: string;
  /** The EcsService's `.name` token: referencing it orders the group after the service. */
  readonly ecsServiceName: string;
  readonly traffic: WebTraffic;
  readonly productionListenerArn: string;
  readonly testListenerArn: string;
  /** `app/<name>/<id>` of the ALB: the `LoadBalancer` dimension of the target group metrics. */
  readonly loadBalancerArnSuffix: string;
  readonly deployment: ServiceConfig["deployment"];
  /** Target 5xx responses per minute, per target group, that stop a deployment. @default 5 */
  readonly http5xxThreshold?: number;
}

/** The alarms gating a deployment, per target group: what they watch and when they fire. */
const deploymentAlarms = (http5xxThreshold: number) =>
  [
    {
      id: "5xx",
      metricName: "HTTPCode_Target_5XX_Count",
      statistic: "Sum",
      comparisonOperator: "GreaterThanOrEqualToThreshold",
      threshold: http5xxThreshold,
      description: "target 5xx responses",
    },
    {
      // Any target failing the ALB health check for two minutes: green never became healthy.
      id: "unhealthy",
      metricName: "UnHealthyHostCount",
      statistic: "Maximum",
      comparisonOperator: "GreaterThanThreshold",
      threshold: 0,
      description: "targets failing the ALB health check",
    },
  ] as const;

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
    const http5xxThreshold = props.http5xxThreshold ?? 5;
    if (!Number.isInteger(http5xxThreshold) || http5xxThreshold < 1) {
      throw new Error(
        `services.${serviceName}: http5xxThreshold ${http5xxThreshold} must be a whole number of at least 1`,
      );
    }

    this.application = new CodedeployApp(this, "application", {
      name: naming.name("codedeployApp", serviceName),
      computePlatform: "ECS",
    });

    const partition = awsContext(this).partition;
    // The same trust policy for every service: one data source for the stack.
    const trust = sharedPolicyDocument(this, "codedeploy-trust", {
      statement: [
        {
          effect: "Allow",
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["codedeploy.amazonaws.com"] }],
        },
      ],
    });
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

    const targetGroups: Record<TargetGroupColor, LbTargetGroup> = {
      blue: props.traffic.blue,
      green: props.traffic.green,
    };
    // Both colours are watched: after a deployment green serves production and the next
    // deployment shifts traffic back to blue, so either may be the one taking traffic.
    this.alarms = Object.entries(targetGroups).flatMap(([color, tg]) =>
      deploymentAlarms(http5xxThreshold).map(
        (a) =>
          new CloudwatchMetricAlarm(this, `${color}-${a.id}`, {
            alarmName: naming.name("alarm", `${serviceName}-${color}-${a.id}`),
            alarmDescription: `${serviceName} ${color} target group: ${a.description} (stops and rolls back a CodeDeploy deployment)`,
            namespace: "AWS/ApplicationELB",
            metricName: a.metricName,
            dimensions: { LoadBalancer: props.loadBalancerArnSuffix, TargetGroup: tg.arnSuffix },
            statistic: a.statistic,
            period: 60,
            evaluationPeriods: 2,
            datapointsToAlarm: 2,
            comparisonOperator: a.comparisonOperator,
            threshold: a.threshold,
            // An idle target group (the colour not serving) has no data; that is not a failure.
            treatMissingData: "notBreaching",
          }),
      ),
    );

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
        alarms: this.alarms.map((a) => a.alarmName),
      },
      // CreateDeploymentGroup checks the role's permissions; attach the policy first.
      dependsOn: [managedPolicy],
    });
  }
}
