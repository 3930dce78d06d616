/**
 * The one way a function reads its environment: each context's `config.ts` declares the variables
 * each of its functions needs as a zod schema and parses them once per container with `parseEnv`,
 * which fails at start-up naming every missing or malformed variable.
 */
import * as z from 'zod';

export type Env = Readonly<Record<string, string | undefined>>;

/** A variable that must be set and not empty. */
export const requiredVariable = z.string({ error: 'is not set' }).min(1, { error: 'is empty' });

const aPositiveInteger = z.coerce
  .number({ error: 'must be a positive integer' })
  .int({ error: 'must be a positive integer' })
  .positive({ error: 'must be a positive integer' });

/** A whole number above 0, `fallback` when unset; with no fallback, optional. */
export function positiveInteger(fallback: number): z.ZodDefault<typeof aPositiveInteger>;
export function positiveInteger(): z.ZodOptional<typeof aPositiveInteger>;
export function positiveInteger(fallback?: number) {
  return fallback === undefined ? aPositiveInteger.optional() : aPositiveInteger.default(fallback);
}

/** A whole number of 0 or more, `fallback` when unset. */
export const nonNegativeInteger = (fallback: number) =>
  z.coerce
    .number({ error: 'must be an integer of 0 or more' })
    .int({ error: 'must be an integer of 0 or more' })
    .nonnegative({ error: 'must be an integer of 0 or more' })
    .default(fallback);

/** An http(s) URL, e.g. an API's stage URL. */
export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

/**
 * `schema` parsed from `env`; otherwise an `Error` "`<context>` configuration: NAME is not set; …"
 * listing every problem.
 */
export function parseEnv<S extends z.ZodType>(context: string, schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.length === 0 ? '(environment)' : issue.path.join('.');
    return `${name} ${env[name] === undefined && issue.path.length === 1 ? 'is not set' : issue.message}`;
  });
  throw new Error(`${context} configuration: ${problems.join('; ')}.`);
}

/**
 * The X-Ray trace header of the running invocation, carried into events so traces join across the bus.
 * Lambda sets `_X_AMZN_TRACE_ID` anew for each invocation, so this one is read per call, not once.
 */
export function currentTraceHeader(env: Env = process.env): string | undefined {
  const header = env['_X_AMZN_TRACE_ID'];
  return header === undefined || header.length === 0 ? undefined : header;
}
