/**
 * A setting's version: a counter that grows by one per write of the key, and the id of the write that
 * made it. Two writers that read the same counter make the same next counter; the write id breaks the
 * tie, so every replica keeps the same winner whatever order the writes reach it in (last writer wins,
 * decided the same way everywhere).
 */
export interface Version {
  readonly counter: number;
  /** The write's id (a ULID): later writes of one writer sort later. */
  readonly writer: string;
}

/** Counters are written zero-padded so that a revision string sorts as its version does. */
const COUNTER_DIGITS = 15;
export const MAX_COUNTER = 10 ** COUNTER_DIGITS - 1;

/** Negative when `a` is older than `b`, positive when newer, 0 for the same version. */
export function compareVersions(a: Version, b: Version): number {
  if (a.counter !== b.counter) return a.counter - b.counter;
  return a.writer < b.writer ? -1 : a.writer > b.writer ? 1 : 0;
}

/** The version a write makes over `current` (the newest a quorum read found; none for a new key). */
export function nextVersion(current: Version | undefined, writer: string): Version {
  const counter = (current?.counter ?? 0) + 1;
  if (counter > MAX_COUNTER)
    throw new RangeError(`A setting cannot be written more than ${MAX_COUNTER} times`);
  return { counter, writer };
}

/**
 * The version as one string that sorts as the version does: a replica compares it in a single
 * conditional write (`revision < :revision`), so it never goes back to an older version.
 */
export function revisionOf(version: Version): string {
  return `${String(version.counter).padStart(COUNTER_DIGITS, '0')}#${version.writer}`;
}
