import type * as z from 'zod';

/**
 * Fails fast, when a handler is built, if a request schema would silently drop unknown fields: every
 * object in it must be strict (`z.strictObject`, `.strict()`) or declare its extra keys (`.catchall(T)`
 * with a real T). A client's misspelt optional field must be a 400, not a request that "succeeds" without
 * it.
 */
export function assertStrictSchema(schema: z.core.$ZodType, subject: string): void {
  // Handlers check their schemas once when built, parse helpers on every call: remember the verdict.
  if (checked.has(schema)) return;
  const loosePath = findLooseObject(schema, subject, new Set());
  if (loosePath !== undefined) {
    throw new Error(
      `The ${subject} schema accepts unknown fields at ${loosePath}: build that object with z.strictObject(…) or .strict().`,
    );
  }
  checked.add(schema);
}

const checked = new WeakSet<z.core.$ZodType>();

function findLooseObject(
  schema: z.core.$ZodType,
  path: string,
  seen: Set<z.core.$ZodType>,
): string | undefined {
  if (seen.has(schema)) return undefined;
  seen.add(schema);
  const def = schema._zod.def;
  const first = (
    children: readonly (z.core.$ZodType | null | undefined)[],
    childPath = path,
  ): string | undefined => {
    for (const child of children) {
      const found = child ? findLooseObject(child, childPath, seen) : undefined;
      if (found !== undefined) return found;
    }
    return undefined;
  };
  switch (def.type) {
    case 'object': {
      const { catchall, shape } = def as z.core.$ZodObjectDef;
      const extraKind = catchall?._zod.def.type;
      if (extraKind === undefined || extraKind === 'unknown' || extraKind === 'any') return path;
      for (const [key, child] of Object.entries(shape)) {
        const found = findLooseObject(child, `${path}.${key}`, seen);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    case 'array':
      return first([(def as z.core.$ZodArrayDef).element], `${path}[]`);
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
    case 'success':
      return first([(def as z.core.$ZodOptionalDef).innerType]);
    case 'union':
      return first((def as z.core.$ZodUnionDef).options);
    case 'intersection': {
      const { left, right } = def as z.core.$ZodIntersectionDef;
      return first([left, right]);
    }
    case 'pipe': {
      const pipe = def as z.core.$ZodPipeDef;
      return first([pipe.in, pipe.out]);
    }
    case 'record':
      return first([(def as z.core.$ZodRecordDef).valueType], `${path}[*]`);
    case 'tuple': {
      const { items, rest } = def as z.core.$ZodTupleDef;
      return first([...items, rest], `${path}[]`);
    }
    case 'lazy':
      return first([(def as z.core.$ZodLazyDef).getter()]);
    default:
      return undefined;
  }
}
