/**
 * EventBridge Scheduler expression syntax: rate(value unit), cron(6 fields), at(timestamp).
 * Checked here so a malformed schedule fails synthesis instead of `terraform apply`.
 */
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const AT = /^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/;
const CRON_FIELD = /^[0-9A-Za-z*?\-,/#L]+$/;

export function isValidScheduleExpression(expr: string): boolean {
  const rate = RATE.exec(expr);
  if (rate) {
    const n = Number(rate[1]);
    // AWS: singular unit for 1, plural otherwise.
    return n >= 1 && (n === 1) === !rate[2].endsWith("s");
  }
  if (AT.test(expr)) return true;
  const cron = /^cron\((.*)\)$/.exec(expr);
  if (!cron) return false;
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6 || !fields.every((f) => CRON_FIELD.test(f))) return false;
  // Day-of-month and day-of-week cannot both be specified: one of them must be '?'.
  return (fields[2] === "?") !== (fields[4] === "?");
}
