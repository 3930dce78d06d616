import type { Account } from '../../../functions/accounts/domain/account';
import type { Requester } from '../../../shared/identity/requester';
export { seededRandom } from '../../support/seeded-random';

export const FIXED_NOW = '2026-11-26T12:00:00.000Z';
export const fixedClock = (): Date => new Date(FIXED_NOW);

export const ALICE = 'usr_01JD0000000000000000000001';
export const BOB = 'usr_01JD0000000000000000000002';
export const STAFF = 'usr_01JD0000000000000000000099';

export const alice: Requester = { userId: ALICE, isStaff: false };
export const bob: Requester = { userId: BOB, isStaff: false };
export const staff: Requester = { userId: STAFF, isStaff: true };

/** The n-th account id of a test (a valid `acc_` + ULID). */
export function accountId(n: number): string {
  return `acc_01JD${String(n).padStart(22, '0')}`;
}

/** The n-th transfer id of a test (a valid `trf_` + ULID). */
export function transferId(n: number): string {
  return `trf_01JD${String(n).padStart(22, '0')}`;
}

/** The n-th deposit id of a test (a valid `dep_` + ULID). */
export function depositId(n: number): string {
  return `dep_01JD${String(n).padStart(22, '0')}`;
}

/** Numbered ids, so expectations can name them. */
export function sequence(idOf: (n: number) => string): () => string {
  let next = 0;
  return () => idOf(++next);
}

export function anAccount(overrides: Partial<Account> = {}): Account {
  return {
    accountId: accountId(1),
    ownerId: ALICE,
    currency: 'USD',
    balanceCents: 0,
    version: 0,
    openedAt: FIXED_NOW,
    ...overrides,
  };
}

/** Pauses that end on the next macrotask: racing writers interleave without waiting real time. */
export const nextTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A retry policy for tests: no real waiting, enough attempts for every racer to get through. */
export const instantRetry = {
  maxAttempts: 10_000,
  firstPauseMs: 0,
  maxElapsedMs: 60_000,
  answerReserveMs: 0,
  sleep: nextTick,
};
