import type { CreateChargeRequest } from '../contracts/processor-api';
import { behaviourOf, chargeOutcome, type Charge } from '../domain/charge';
import { InvalidTokenError } from '../domain/errors';
import type { StoredAnswer } from '../domain/idempotency';
import type { Ledger } from '../ports/ledger';
import { chargeObject, errorAnswer, type ProcessorAnswer } from './answers';
import { requestFingerprint } from './fingerprint';
import { claimKey, whileClaimed, type IdempotentRequest } from './idempotent-execution';
import { definedProps } from '../../../shared/objects/defined-props';

export const CREATE_CHARGE_ROUTE = 'POST /v1/charges';

export interface CreateChargeCommand {
  readonly idempotencyKey: string;
  readonly request: CreateChargeRequest;
  /** The request id, owner of the key's claim. */
  readonly requestId: string;
  readonly remainingTimeMs?: number;
}

export type CreateCharge = (command: CreateChargeCommand) => Promise<ProcessorAnswer>;

export interface CreateChargeDependencies {
  readonly ledger: Ledger;
  /** `ch_` + ULID in production. */
  readonly newChargeId: () => string;
  readonly now: () => Date;
  /** How long `tok_timeout` holds its answer back (`HANG_MS`). */
  readonly hangMs: number;
  /** @default a `setTimeout` promise */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * `POST /v1/charges`. An unknown token is refused before the key is touched. Otherwise the key is
 * claimed, the token decides, and the outcome is settled in one write:
 * - approved: the charge and the stored 201 together (`tok_timeout` then holds the answer `hangMs`);
 * - refused (402, 500): the stored error;
 * - unavailable (`tok_flaky`'s first two attempts): 503, nothing stored, the key given back.
 * A later request with the key and the same body gets the stored answer again (a `tok_timeout`
 * replay hangs as well); with another body, 409 `key_reused`.
 */
export function makeCreateCharge(deps: CreateChargeDependencies): CreateCharge {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const answer = async (stored: StoredAnswer, replayed: boolean): Promise<ProcessorAnswer> => {
    if (stored.hang) await sleep(deps.hangMs);
    return { status: stored.status, body: stored.body, replayed };
  };

  return async (command) => {
    const behaviour = behaviourOf(command.request.token);
    if (behaviour === undefined) throw new InvalidTokenError(command.request.token);
    const idempotent: IdempotentRequest = {
      key: command.idempotencyKey,
      fingerprint: requestFingerprint(CREATE_CHARGE_ROUTE, command.request),
      owner: command.requestId,
      remainingTimeMs: command.remainingTimeMs,
    };
    const claim = await claimKey(deps.ledger, idempotent, deps.now);
    if (claim.kind === 'replay') return answer(claim.answer, true);

    const settled = await whileClaimed(deps.ledger, idempotent, async (): Promise<StoredAnswer> => {
      const outcome = chargeOutcome(behaviour, claim.attempt);
      const completion = (stored: StoredAnswer) => ({
        key: idempotent.key,
        owner: idempotent.owner,
        answer: stored,
      });
      switch (outcome.kind) {
        case 'approved': {
          const charge = newCharge(deps, command.request);
          const stored: StoredAnswer = { status: 201, body: chargeObject(charge), hang: outcome.hang };
          await deps.ledger.recordCharge(charge, completion(stored));
          return stored;
        }
        case 'refused': {
          const stored = errorAnswer(outcome.error);
          await deps.ledger.completeKey(completion(stored));
          return stored;
        }
        case 'unavailable':
          // Not stored: the next attempt with this key runs again, one further on the counter.
          await deps.ledger.releaseKey(idempotent.key, idempotent.owner);
          return errorAnswer(outcome.error);
      }
    });
    return answer(settled, false);
  };
}

function newCharge(deps: CreateChargeDependencies, request: CreateChargeRequest): Charge {
  return {
    chargeId: deps.newChargeId(),
    orderId: request.orderId,
    amountCents: request.amountCents,
    currency: request.currency,
    refundedCents: 0,
    status: 'succeeded',
    createdAt: deps.now().toISOString(),
    ...definedProps({ description: request.description }),
  };
}
