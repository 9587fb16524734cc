/**
 * EventBridge Scheduler expression syntax (EventBridge Scheduler User Guide, "Schedule types";
 * the cron fields and wildcards of the EventBridge "Cron expressions reference"):
 * - `rate(value unit)`: a positive whole value; `minute|hour|day` for 1, plural otherwise.
 * - `cron(minutes hours day-of-month month day-of-week year)`: minutes 0-59, hours 0-23,
 *   day-of-month 1-31 (`, - * ? / L W`), month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT
 *   (`, - * ? L #`), year 1970-2199; exactly one of day-of-month and day-of-week is `?`.
 * - `at(yyyy-mm-ddThh:mm:ss)`: a real date and time.
 * Checked here so a malformed schedule fails synthesis instead of `terraform apply`.
 */
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const AT = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/;
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Special forms besides numbers, ranges, lists, * and steps. */
  readonly special?: RegExp;
}
const FIELDS: readonly CronField[] = [
  { name: "minutes", min: 0, max: 59 },
  { name: "hours", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31, special: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: "month", min: 1, max: 12, names: MONTHS },
  {
    name: "day-of-week",
    min: 1,
    max: 7,
    names: DAYS,
    special: /^(\?|L|\d?L|[1-7]#[1-5]|(SUN|MON|TUE|WED|THU|FRI|SAT)#[1-5])$/,
  },
  { name: "year", min: 1970, max: 2199 },
];

function valueOf(token: string, field: CronField): number | undefined {
  const named = field.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return named + 1;
  if (!/^\d+$/.test(token)) return undefined;
  const n = Number(token);
  return n >= field.min && n <= field.max ? n : undefined;
}

function cronFieldProblem(text: string, field: CronField): string | undefined {
  if (field.special?.test(text.toUpperCase())) {
    if (text.includes("W") && !/^(LW|L|([1-9]|[12]\d|3[01])W|\?)$/.test(text))
      return `${field.name} ${text} is out of range`;
    return undefined;
  }
  const range = `${field.min}-${field.max}${field.names ? ` or ${field.names[0]}-${field.names[field.names.length - 1]}` : ""}`;
  for (const part of text.split(",")) {
    const [base, step, extra] = part.split("/");
    if (extra !== undefined || (step !== undefined && !/^\d+$/.test(step)) || step === "0")
      return `${field.name} ${text}: a step is /<positive number>`;
    if (base === "*") continue;
    const [from, to, more] = base.split("-");
    if (
      more !== undefined ||
      valueOf(from, field) === undefined ||
      (to !== undefined && valueOf(to, field) === undefined)
    )
      return `${field.name} ${text} is not a value, range or list of ${range}`;
  }
  return undefined;
}

/** Why `expr` is not an EventBridge Scheduler expression, or undefined when it is one. */
export function scheduleExpressionProblem(expr: string): string | undefined {
  const rate = RATE.exec(expr);
  if (rate) {
    const n = Number(rate[1]);
    if (n < 1) return "a rate needs a value of at least 1";
    return (n === 1) === !rate[2].endsWith("s")
      ? undefined
      : "use minute/hour/day for 1 and the plural otherwise";
  }
  const at = AT.exec(expr);
  if (at) {
    const [y, mo, d, h, mi, s] = at.slice(1).map(Number);
    const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
    const real =
      date.getUTCFullYear() === y &&
      date.getUTCMonth() === mo - 1 &&
      date.getUTCDate() === d &&
      h < 24 &&
      mi < 60 &&
      s < 60;
    return real ? undefined : `${expr.slice(3, -1)} is not a real date and time`;
  }
  const cron = /^cron\((.*)\)$/.exec(expr);
  if (!cron) return "it is none of the three forms EventBridge Scheduler accepts";
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6)
    return `cron needs 6 fields (minutes hours day-of-month month day-of-week year), found ${fields.length}`;
  for (const [i, f] of FIELDS.entries()) {
    const problem = cronFieldProblem(fields[i], f);
    if (problem) return problem;
  }
  // Day-of-month and day-of-week cannot both be specified: exactly one of them must be '?'.
  if ((fields[2] === "?") === (fields[4] === "?"))
    return "exactly one of day-of-month and day-of-week must be ?";
  return undefined;
}
