/**
 * Comparing an answer with an AWS-recorded case of `../shared/conformance/` as its format says
 * (AWS-RECORDED-CASES.md): deep equality, numbers by value, object keys in any order, the masked values
 * listed in `ignore` (dot paths relative to `expected`) skipped.
 */
import * as path from 'node:path';

/** The shared conformance folder, beside the repository (never copied into it). */
export const CONFORMANCE_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'conformance');

/**
 * The differences between `actual` and `expected`, as `path: expected … got …` lines; none when they
 * agree. `ignore` paths (e.g. `output.Execution.Id`, `Messages.0.MessageId`) are not compared, and
 * `at` prefixes the paths reported and matched.
 */
export function differences(
  expected: unknown,
  actual: unknown,
  ignore: readonly string[] = [],
  at = '',
): string[] {
  if (ignore.includes(at)) return [];
  const where = at === '' ? '(root)' : at;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${where}: expected an array, got ${show(actual)}`];
    if (actual.length !== expected.length) {
      return [`${where}: expected ${expected.length} items, got ${actual.length}: ${show(actual)}`];
    }
    return expected.flatMap((item, i) => differences(item, actual[i], ignore, join(at, String(i))));
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) {
      return [`${where}: expected an object, got ${show(actual)}`];
    }
    const expectedRecord = expected as Record<string, unknown>;
    const actualRecord = actual as Record<string, unknown>;
    const keys = new Set([...Object.keys(expectedRecord), ...Object.keys(actualRecord)]);
    return [...keys].flatMap((key) => {
      const child = join(at, key);
      if (ignore.includes(child)) return [];
      if (!(key in expectedRecord)) return [`${child}: not expected, got ${show(actualRecord[key])}`];
      if (!(key in actualRecord)) return [`${child}: missing, expected ${show(expectedRecord[key])}`];
      return differences(expectedRecord[key], actualRecord[key], ignore, child);
    });
  }
  return Object.is(expected, actual) || expected === actual
    ? []
    : [`${where}: expected ${show(expected)}, got ${show(actual)}`];
}

/** A JavaScript regular expression of the recorded file (`causePattern`, `messagePattern`, …). */
export function matchesPattern(pattern: string, text: string | undefined): boolean {
  return text !== undefined && new RegExp(pattern, 's').test(text);
}

function join(at: string, key: string): string {
  return at === '' ? key : `${at}.${key}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
