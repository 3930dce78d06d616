/**
 * Idempotency-Key records of the processor: pure rules. A key is claimed (state `in-progress`, with a
 * lease) before any work; the work ends by storing its answer (`completed`) or, for a transient
 * failure, by giving the key back (`released`) so a retry runs again. A key stays bound to the request
 * it was first used for (its fingerprint) for as long as its record lives.
 */

export type KeyState = 'in-progress' | 'completed' | 'released';

/** An answer kept for replay: the status, the JSON body, and whether it is held back `HANG_MS`. */
export interface StoredAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly hang: boolean;
}

export interface KeyRecord {
  readonly key: string;
  /** Digest of the request first sent with the key (route, path and body). */
  readonly fingerprint: string;
  readonly state: KeyState;
  /** The request holding (or that last held) the claim. */
  readonly owner: string;
  /** While `in-progress`: epoch ms after which a stalled claim may be taken over. */
  readonly leaseExpiresAt?: number;
  /** Successful claims so far (the first claim makes it 1): the attempt counter of `tok_flaky`. */
  readonly attempts: number;
  /** The stored answer, once `completed`. */
  readonly answer?: StoredAnswer;
}

/**
 * What a request finds under its key:
 * - `claimable`: no record, or one for the same request that was released or whose claim went stale;
 * - `replay`: the same request was answered: send the stored answer again;
 * - `in-progress`: the same request is being processed by another invocation right now;
 * - `key-reused`: the key belongs to a different request.
 */
export type KeyVerdict =
  | { readonly kind: 'claimable' }
  | { readonly kind: 'replay'; readonly answer: StoredAnswer }
  | { readonly kind: 'in-progress' }
  | { readonly kind: 'key-reused' };

export function keyVerdict(record: KeyRecord | undefined, fingerprint: string, nowMs: number): KeyVerdict {
  if (record === undefined) return { kind: 'claimable' };
  if (record.fingerprint !== fingerprint) return { kind: 'key-reused' };
  switch (record.state) {
    case 'completed':
      if (record.answer === undefined) throw new Error(`key ${record.key} is completed without an answer`);
      return { kind: 'replay', answer: record.answer };
    case 'released':
      return { kind: 'claimable' };
    case 'in-progress':
      return record.leaseExpiresAt !== undefined && record.leaseExpiresAt < nowMs
        ? { kind: 'claimable' }
        : { kind: 'in-progress' };
    default: {
      const unknown: never = record.state;
      throw new Error(`unknown key state ${String(unknown)}`);
    }
  }
}
