/**
 * EventBridge event patterns, as AWS evaluates them (aws/event-ruler semantics).
 *
 * A pattern is flattened into dotted field paths (`{"detail": {"state": [...]}}` is `detail.state`), so a key
 * containing a dot matches the nested form and the other way round. Fields are ANDed, the entries of a field's
 * array are ORed, and `$or` forks the pattern into alternative branches. An event is flattened the same way into
 * leaves; an array in the event offers each of its elements, but one match may not combine fields taken from
 * different elements of the same array. Only scalar leaves exist: `exists` never sees an object.
 */
import {
  compileFieldMatcher,
  isEventValue,
  isPlainObject,
  InvalidEventPatternError,
  type EventValue,
  type FieldMatcher,
} from './pattern-operators';

export { InvalidEventPatternError } from './pattern-operators';

/** One alternative of a pattern: field path → matcher, all of which must hold. */
type Branch = ReadonlyMap<string, FieldMatcher>;

/** Which element of which event array (by id) a leaf was found in. */
type ArrayPositions = ReadonlyMap<number, number>;

interface Leaf {
  readonly value: EventValue;
  readonly positions: ArrayPositions;
}

const OR = '$or';

/** Names event-ruler keeps for operators; inside `$or` they would be ambiguous, so AWS refuses them as fields. */
const RESERVED_INSIDE_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

/** Throws {@link InvalidEventPatternError} when AWS would reject the pattern (an object or its JSON text). */
export function validatePattern(pattern: unknown): void {
  compilePattern(pattern);
}

/**
 * Whether `event` (an object or its JSON text) matches `pattern` (an object or its JSON text). An event that is
 * not a JSON object matches nothing; an invalid pattern throws {@link InvalidEventPatternError}.
 */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  const branches = compilePattern(pattern);
  const leaves = flattenEvent(event);
  return leaves !== undefined && branches.some((branch) => matchesBranch(branch, leaves));
}

function compilePattern(pattern: unknown): Branch[] {
  const parsed = typeof pattern === 'string' ? parsePatternText(pattern) : pattern;
  if (!isPlainObject(parsed)) throw new InvalidEventPatternError('Filter is not an object');
  return compileObject(parsed, '', [new Map()], false);
}

function parsePatternText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidEventPatternError('Filter is not valid JSON');
  }
}

function compileObject(
  object: Record<string, unknown>,
  prefix: string,
  branches: readonly Branch[],
  insideOr: boolean,
): Branch[] {
  const keys = Object.keys(object);
  if (keys.length === 0) throw new InvalidEventPatternError('Empty objects are not allowed');
  let current = [...branches];
  for (const key of keys) {
    const value = object[key];
    if (key === OR) {
      current = compileOr(value, prefix, current);
      continue;
    }
    if (insideOr && RESERVED_INSIDE_OR.has(key)) {
      throw new InvalidEventPatternError(
        `${key} is Ruler reserved fieldName which cannot be used inside $or.`,
      );
    }
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isPlainObject(value)) {
      current = compileObject(value, path, current, insideOr);
    } else if (Array.isArray(value)) {
      const matcher = compileFieldMatcher(value);
      // A path given twice keeps its last definition, as AWS does.
      current = current.map((branch) => new Map(branch).set(path, matcher));
    } else {
      throw new InvalidEventPatternError(`"${key}" must be an object or an array`);
    }
  }
  return current;
}

/** Each object of a `$or` array continues every branch so far with its own fields. */
function compileOr(alternatives: unknown, prefix: string, branches: readonly Branch[]): Branch[] {
  if (!Array.isArray(alternatives))
    throw new InvalidEventPatternError('It must be an Array followed with $or.');
  const forked = alternatives.flatMap((alternative) => {
    if (!isPlainObject(alternative)) {
      throw new InvalidEventPatternError('Only JSON object is allowed in array of $or relationship.');
    }
    return compileObject(alternative, prefix, branches, true);
  });
  if (alternatives.length < 2) {
    throw new InvalidEventPatternError('There must have at least 2 Objects in $or relationship.');
  }
  return forked;
}

function flattenEvent(event: unknown): ReadonlyMap<string, readonly Leaf[]> | undefined {
  const parsed = typeof event === 'string' ? parseEventText(event) : event;
  if (!isPlainObject(parsed)) return undefined;
  const leaves = new Map<string, Leaf[]>();
  let nextArrayId = 0;
  const visit = (value: unknown, path: string, positions: ArrayPositions): void => {
    if (Array.isArray(value)) {
      const arrayId = nextArrayId++;
      value.forEach((element, index) => visit(element, path, new Map(positions).set(arrayId, index)));
    } else if (isPlainObject(value)) {
      for (const [key, child] of Object.entries(value))
        visit(child, path === '' ? key : `${path}.${key}`, positions);
    } else if (isEventValue(value)) {
      const atPath = leaves.get(path) ?? [];
      atPath.push({ value, positions });
      leaves.set(path, atPath);
    }
  };
  visit(parsed, '', new Map());
  return leaves;
}

function parseEventText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Tries the branch's fields in sorted path order (the order event-ruler walks them), choosing for each a leaf
 * that matches and lies in the same array elements as the leaves chosen before it. A field whose absence is
 * allowed matches when no such leaf exists at all.
 */
function matchesBranch(branch: Branch, leaves: ReadonlyMap<string, readonly Leaf[]>): boolean {
  const fields = [...branch].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const matchFrom = (index: number, positions: ArrayPositions): boolean => {
    const field = fields[index];
    if (field === undefined) return true;
    const [path, matcher] = field;
    const candidates = (leaves.get(path) ?? []).filter((leaf) => consistent(positions, leaf.positions));
    if (candidates.length === 0) return matcher.matchesAbsence && matchFrom(index + 1, positions);
    return candidates.some(
      (leaf) =>
        matcher.matchesValue(leaf.value) && matchFrom(index + 1, new Map([...positions, ...leaf.positions])),
    );
  };
  return matchFrom(0, new Map());
}

function consistent(a: ArrayPositions, b: ArrayPositions): boolean {
  for (const [arrayId, index] of b) {
    const other = a.get(arrayId);
    if (other !== undefined && other !== index) return false;
  }
  return true;
}
