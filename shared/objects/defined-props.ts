/** `T` with its `undefined` properties left out, the others as they are. */
export type DefinedProps<T> = { [K in keyof T]?: Exclude<T[K], undefined> };

/**
 * The properties of `props` that are defined. Spread it where an optional property may only be absent,
 * never `undefined` (`exactOptionalPropertyTypes`): `{ ...definedProps({ logger: deps.logger }) }`.
 */
export function definedProps<T extends Readonly<Record<string, unknown>>>(props: T): DefinedProps<T> {
  return Object.fromEntries(
    Object.entries(props).filter(([, value]) => value !== undefined),
  ) as DefinedProps<T>;
}
