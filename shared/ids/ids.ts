import { monotonicFactory } from 'ulid';

/** Prefixes of the platform's identifiers (ARCHITECTURE.md §4): prefix + ULID. */
export const ID_PREFIXES = {
  order: 'ord_',
  product: 'prd_',
  user: 'usr_',
  account: 'acc_',
  transfer: 'trf_',
  deposit: 'dep_',
  payment: 'pay_',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const nextUlid = monotonicFactory();
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** A new, time-ordered identifier, e.g. `ord_01JD…`. */
export function newId(kind: IdKind, now: number = Date.now()): string {
  return `${ID_PREFIXES[kind]}${nextUlid(now)}`;
}

/** A bare ULID, for event ids. */
export function newUlid(now: number = Date.now()): string {
  return nextUlid(now);
}

export function isId(kind: IdKind, value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.startsWith(ID_PREFIXES[kind]) &&
    ULID.test(value.slice(ID_PREFIXES[kind].length))
  );
}
