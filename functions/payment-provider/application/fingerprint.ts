import { createHash } from 'node:crypto';

/**
 * The digest an Idempotency-Key is bound to: the route and the request's parameters as parsed, in a
 * canonical JSON (object keys sorted), so the same request spelt with its fields in another order is
 * still the same request.
 */
export function requestFingerprint(route: string, parameters: unknown): string {
  return createHash('sha256').update(canonicalJson({ route, parameters })).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, member]) => `${JSON.stringify(name)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
