/**
 * What a suppression's reason must be: an explanation a reviewer can check, not filler. At
 * least MIN_REASON_LENGTH characters and MIN_REASON_WORDS words of two or more letters, so
 * "xxxxxxxxxx", "n/a n/a n/a" or "ok ok ok ok" are refused.
 */
export const MIN_REASON_LENGTH = 10;
export const MIN_REASON_WORDS = 3;

/** Why `reason` does not explain a suppression, or undefined when it does. */
export function reasonProblem(reason: string): string | undefined {
  const text = reason.trim();
  const words = text.match(/\p{L}{2,}/gu) ?? [];
  if (
    text.length < MIN_REASON_LENGTH ||
    words.length < MIN_REASON_WORDS ||
    new Set(words.map((w) => w.toLowerCase())).size < 2
  )
    return `needs a reason of at least ${MIN_REASON_LENGTH} characters and ${MIN_REASON_WORDS} different words saying why the rule does not apply here`;
  return undefined;
}
