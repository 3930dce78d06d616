import { KeyLeaseLostError, RequestInProgressError, KeyReusedError } from '../domain/errors';
import { keyVerdict, type StoredAnswer } from '../domain/idempotency';
import type { Ledger } from '../ports/ledger';

/**
 * How long a claim holds when the function's remaining time is unknown: just above API Gateway's
 * 29 s integration timeout, so no client still waits on a request older than that.
 */
export const DEFAULT_LEASE_MS = 30_000;
/** Rounds of claim → re-read when the record keeps changing between the two. */
const MAX_CLAIM_ROUNDS = 3;

export interface IdempotentRequest {
  readonly key: string;
  readonly fingerprint: string;
  /** The request id: the owner of the claim. */
  readonly owner: string;
  /** The invocation's remaining time: a claim of a crashed invocation frees the key when it would have timed out. */
  readonly remainingTimeMs?: number;
}

export type Claim =
  | { readonly kind: 'claimed'; readonly attempt: number }
  | { readonly kind: 'replay'; readonly answer: StoredAnswer };

/**
 * Claims the request's Idempotency-Key with a conditional write before any work, so two concurrent
 * requests with one key never both do it. Answers a replay of the stored answer, or throws
 * `KeyReusedError` (another request's key) or `RequestInProgressError` (the same request is being
 * processed right now: the client retries after `Retry-After`, and then gets the stored answer).
 */
export async function claimKey(ledger: Ledger, request: IdempotentRequest, now: () => Date): Promise<Claim> {
  for (let round = 0; round < MAX_CLAIM_ROUNDS; round++) {
    const nowMs = now().getTime();
    const result = await ledger.claimKey({
      key: request.key,
      fingerprint: request.fingerprint,
      owner: request.owner,
      nowMs,
      leaseMs: request.remainingTimeMs ?? DEFAULT_LEASE_MS,
    });
    if (result.claimed) return { kind: 'claimed', attempt: result.attempt };
    const verdict = keyVerdict(result.record, request.fingerprint, nowMs);
    switch (verdict.kind) {
      case 'replay':
        return { kind: 'replay', answer: verdict.answer };
      case 'in-progress':
        throw new RequestInProgressError();
      case 'key-reused':
        throw new KeyReusedError();
      case 'claimable':
        // The record changed between the write and its read-back (a claim released meanwhile).
        continue;
    }
  }
  throw new RequestInProgressError();
}

/**
 * Runs the work of a claimed key. A lost claim (the lease ran out and another request took the key
 * over; nothing was written) is answered as `request_in_progress`; any other failure gives the key
 * back, so that a retry with the same key runs again, and is rethrown.
 */
export async function whileClaimed<T>(
  ledger: Ledger,
  request: IdempotentRequest,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof KeyLeaseLostError) throw new RequestInProgressError({ cause: error });
    await ledger.releaseKey(request.key, request.owner).catch(() => undefined);
    throw error;
  }
}
