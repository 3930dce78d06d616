import type * as z from 'zod';
import { ValidationError, type ErrorDetail } from '../errors/app-error';

/**
 * Reasons in the house style, `must be …` / `is …`, so that `path + reason` reads as a sentence:
 * `items[0].quantity must be greater than 0`. Passed per parse, so a message a schema sets itself
 * (`z.number().int().positive({ error: 'must be a positive integer' })`) still wins.
 */
export const houseStyleReasons: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${describeType(issue.expected)}`;
    case 'too_small':
      return describeBound(issue.origin, issue.minimum, issue.inclusive, issue.exact, 'min');
    case 'too_big':
      return describeBound(issue.origin, issue.maximum, issue.inclusive, issue.exact, 'max');
    case 'invalid_format':
      return issue.format === 'regex' ? 'has an invalid format' : `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'unrecognized_keys':
      return 'is not allowed';
    case 'invalid_union':
      // A discriminated union whose discriminator matched none: name the values it takes.
      return 'options' in issue && Array.isArray(issue.options) && issue.options.length > 0
        ? `must be one of ${issue.options.map((option) => JSON.stringify(option)).join(', ')}`
        : 'does not match any allowed shape';
    case 'invalid_key':
      return 'has an invalid key';
    case 'invalid_element':
      return 'has an invalid element';
    case 'custom':
      return 'is invalid';
    default:
      return undefined;
  }
};

/** Turns zod's issues into the one 400 `VALIDATION_FAILED` error; `subject` names the root (`body`). */
export function validationErrorFromZod(error: z.core.$ZodError, subject: string): ValidationError {
  const problems = error.issues.flatMap((issue) =>
    // One issue lists every unknown key of an object; the client is better served by one detail per key.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key], reason: 'is not allowed' }))
      : [{ path: issue.path, reason: issue.message }],
  );
  const details: ErrorDetail[] = problems.map(({ path, reason }) => ({
    path: path.map(String).join('.'),
    message: reason,
  }));
  const [first] = problems;
  if (first === undefined) return new ValidationError(`${subject} is invalid`, details);
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problems, see details)` : '';
  return new ValidationError(`${displayPath(first.path, subject)} ${first.reason}${more}`, details);
}

/** `['items', 0, 'quantity']` → `items[0].quantity`; the empty path is the subject itself. */
export function displayPath(path: readonly PropertyKey[], subject: string): string {
  if (path.length === 0) return subject;
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const name = String(segment);
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) return `[${JSON.stringify(name)}]`;
      return index === 0 ? name : `.${name}`;
    })
    .join('');
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  int: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  object: 'an object',
  array: 'an array',
  null: 'null',
  date: 'a date',
  bigint: 'an integer',
  tuple: 'an array',
  record: 'an object',
};

function describeType(expected: string): string {
  return TYPE_NAMES[expected] ?? `of type ${expected}`;
}

function describeBound(
  origin: string,
  limit: number | bigint,
  inclusive: boolean | undefined,
  exact: boolean | undefined,
  side: 'min' | 'max',
): string {
  switch (origin) {
    case 'string':
      if (exact) return `must be exactly ${limit} characters long`;
      if (side === 'min' && Number(limit) === 1) return 'must not be empty';
      return `must be at ${side === 'min' ? 'least' : 'most'} ${limit} characters long`;
    case 'array':
    case 'set':
      if (exact) return `must have exactly ${limit} items`;
      if (side === 'min' && Number(limit) === 1) return 'must not be empty';
      return `must have at ${side === 'min' ? 'least' : 'most'} ${limit} items`;
    case 'number':
    case 'int':
    case 'bigint':
      if (inclusive === false) return `must be ${side === 'min' ? 'greater' : 'less'} than ${limit}`;
      return `must be at ${side === 'min' ? 'least' : 'most'} ${limit}`;
    default:
      return side === 'min' ? 'is too small' : 'is too large';
  }
}
