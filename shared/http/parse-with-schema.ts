import type * as z from 'zod';
import { houseStyleReasons, validationErrorFromZod } from './validation-error-from-zod';

/** Parses `value` with `schema` or throws the 400 `ValidationError`, naming paths from `subject`. */
export function parseWithSchema<S extends z.ZodType>(
  schema: S,
  value: unknown,
  subject: string,
): z.output<S> {
  const result = schema.safeParse(value, { error: houseStyleReasons });
  if (!result.success) throw validationErrorFromZod(result.error, subject);
  return result.data;
}
