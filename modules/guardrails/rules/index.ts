/**
 * The rule registry: every rule of the guardrails, in report order. A new rule is one file in
 * this folder (a pure function over the synthesized stack) plus one line here.
 */
import type { Rule } from "../types";
import { ECS1 } from "./ecs1-privileged";
import { ECS2 } from "./ecs2-host-network";
import { ECS3 } from "./ecs3-host-pid";
import { ECS4 } from "./ecs4-readonly-root";
import { ECS5 } from "./ecs5-logging";
import { ECS6 } from "./ecs6-env-secrets";
import { ECS7 } from "./ecs7-public-ip";
import { ECS8 } from "./ecs8-container-insights";
import { ECS9 } from "./ecs9-container-definitions";
import { ECS10 } from "./ecs10-root-user";
import { ECR1 } from "./ecr1-scan-on-push";
import { ECR2 } from "./ecr2-immutable-tags";
import { ECR3 } from "./ecr3-lifecycle-policy";
import { ELB1 } from "./elb1-drop-invalid-headers";
import { ELB2 } from "./elb2-https-redirect";
import { ELB3 } from "./elb3-access-logs";
import { SG1 } from "./sg1-open-ingress";
import { VPC1 } from "./vpc1-default-security-group";
import { VPC2 } from "./vpc2-flow-logs";
import { KMS1 } from "./kms1-key-rotation";
import { LOG1 } from "./log1-log-group-encryption";
import { LOG2 } from "./log2-log-retention";
import { IAM1 } from "./iam1-wildcard-actions";
import { IAM2 } from "./iam2-wildcard-resources";
import { SM1 } from "./sm1-secret-encryption";
import { SM2 } from "./sm2-no-random-password-data";
import { SM3 } from "./sm3-master-secret-readers";
import { RDS1 } from "./rds1-storage-encrypted";
import { RDS2 } from "./rds2-not-public";
import { NAME1 } from "./name1-resource-names";
import { NAME2 } from "./name2-unique-names";
import { TAG1 } from "./tag1-required-tags";
import { DST1, PRS1 } from "./dst1-prevent-destroy";
import { DST2, PRS2 } from "./dst2-ecr-force-delete";
import { DST3, PRS3 } from "./dst3-s3-force-destroy";
import { DST4, PRS4 } from "./dst4-lb-deletion-protection";
import { DST5, PRS5 } from "./dst5-rds-deletion-protection";
import { DST6, PRS6 } from "./dst6-rds-skip-final-snapshot";
import { DST7, PRS7 } from "./dst7-secret-recovery-window";
import { DST8, PRS8 } from "./dst8-kms-deletion-window";
import { DST9 } from "./dst9-ecs-force-delete";
import { DST10 } from "./dst10-cloud-map-force-destroy";

export const RULES: readonly Rule[] = [
  ECS1,
  ECS2,
  ECS3,
  ECS4,
  ECS5,
  ECS6,
  ECS7,
  ECS8,
  ECS9,
  ECS10,
  ECR1,
  ECR2,
  ECR3,
  ELB1,
  ELB2,
  ELB3,
  SG1,
  VPC1,
  VPC2,
  KMS1,
  LOG1,
  LOG2,
  IAM1,
  IAM2,
  SM1,
  SM2,
  SM3,
  RDS1,
  RDS2,
  NAME1,
  NAME2,
  TAG1,
  DST1,
  DST2,
  DST3,
  DST4,
  DST5,
  DST6,
  DST7,
  DST8,
  DST9,
  DST10,
  PRS1,
  PRS2,
  PRS3,
  PRS4,
  PRS5,
  PRS6,
  PRS7,
  PRS8,
];

/** Every rule id (what a suppression may name). */
export const RULE_IDS: readonly string[] = RULES.map((r) => r.id);
