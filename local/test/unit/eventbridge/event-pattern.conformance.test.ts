import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  InvalidEventPatternError,
  matchesPattern,
  validatePattern,
} from '../../../src/eventbridge/event-pattern';

/**
 * Event-pattern cases validated against real AWS (see ../shared/conformance/README.md). Most carry the pattern and
 * event as JSON values; a case whose JSON text cannot survive parsing (a duplicated key) carries it raw instead.
 */
interface ConformanceCase {
  readonly name: string;
  readonly expected: 'match' | 'nomatch' | 'invalid';
  readonly pattern: unknown;
  readonly event: unknown;
}

const CONFORMANCE_FILE = path.resolve(
  __dirname,
  '../../../../../shared/conformance/eventbridge-patterns.json',
);

function toCase(entry: unknown): ConformanceCase {
  if (typeof entry !== 'object' || entry === null) throw new Error('conformance case is not an object');
  const record = entry as Record<string, unknown>;
  const { name, expected } = record;
  if (typeof name !== 'string') throw new Error('conformance case has no name');
  if (expected !== 'match' && expected !== 'nomatch' && expected !== 'invalid') {
    throw new Error(`conformance case ${name} has an unknown expectation`);
  }
  return {
    name,
    expected,
    pattern: 'patternRaw' in record ? record.patternRaw : record.pattern,
    event: 'eventRaw' in record ? record.eventRaw : record.event,
  };
}

function loadCases(): ConformanceCase[] {
  const parsed: unknown = JSON.parse(readFileSync(CONFORMANCE_FILE, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error('conformance file is not an array');
  return parsed.map(toCase);
}

/** What AWS would answer: the pattern is rejected, or it matches the event, or it does not. */
function outcomeOf(pattern: unknown, event: unknown): ConformanceCase['expected'] {
  try {
    validatePattern(pattern);
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return 'invalid';
    throw error;
  }
  return matchesPattern(pattern, event) ? 'match' : 'nomatch';
}

const cases = loadCases();

describe('EventBridge event-pattern conformance', () => {
  it('holds all 156 AWS-validated cases, each named once', () => {
    // Assess
    expect(cases).toHaveLength(156);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  test.each(cases.map((c) => [c.name, c] as const))('%s', (_name, { expected, pattern, event }) => {
    // Act
    const outcome = outcomeOf(pattern, event);

    // Assess
    expect(outcome).toBe(expected);
  });
});
