/** The value at `path` in a parsed request body (a zod issue's path), to name it in a validation error. */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>(
    (value, key) =>
      typeof value === 'object' && value !== null
        ? (value as Record<PropertyKey, unknown>)[key as string]
        : undefined,
    input,
  );
}
