/**
 * A schedule's time zone: an IANA name, spelled as the tz database spells it. Node's ICU
 * says whether it exists; Temporal's server loads the same database by the same name, and
 * its lookup is case-sensitive where ICU's is not, so the case must match too.
 */

/** The IANA shape: `UTC`, `America/Chicago`, `America/Argentina/Buenos_Aires`, `Etc/GMT+5`; no bare offsets. */
const IANA_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** What is wrong with `timezone`, or undefined when it is an IANA name drover can schedule in. */
export function timezoneProblem(timezone: string): string | undefined {
  const refuse = `"${timezone}" is not an IANA time zone name (such as UTC or America/Chicago)`;
  if (!IANA_SHAPE.test(timezone)) return refuse;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    return refuse;
  }
  if (resolved !== timezone && resolved.toLowerCase() === timezone.toLowerCase()) return `"${timezone}" is spelled ${resolved} in the tz database (names are case-sensitive)`;
  return undefined;
}
