/**
 * A scheduled job's schedule is disabled until its first release (no image to run before it).
 * UpdateSchedule replaces the whole schedule, so every field GetSchedule returns is sent back
 * with only the state changed; the next Terraform plan then agrees (ENABLED once released).
 */
import { GetScheduleCommand, UpdateScheduleCommand } from "@aws-sdk/client-scheduler";
import type { ReleaseRuntime } from "./runtime";

export async function enableSchedule(
  rt: ReleaseRuntime,
  schedule: { readonly name: string; readonly group: string },
): Promise<void> {
  const current = await rt.scheduler.send(
    new GetScheduleCommand({ Name: schedule.name, GroupName: schedule.group }),
  );
  if (current.State === "ENABLED") return;
  await rt.scheduler.send(
    new UpdateScheduleCommand({
      Name: schedule.name,
      GroupName: schedule.group,
      ScheduleExpression: current.ScheduleExpression,
      ScheduleExpressionTimezone: current.ScheduleExpressionTimezone,
      StartDate: current.StartDate,
      EndDate: current.EndDate,
      Description: current.Description,
      KmsKeyArn: current.KmsKeyArn,
      Target: current.Target,
      FlexibleTimeWindow: current.FlexibleTimeWindow,
      ActionAfterCompletion: current.ActionAfterCompletion,
      State: "ENABLED",
    }),
  );
  rt.log(`enabled schedule ${schedule.group}/${schedule.name} (first release of the job)`);
}
