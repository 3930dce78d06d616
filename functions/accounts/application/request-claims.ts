import { IdempotencyKeyReusedError } from '../../../shared/idempotency/errors';
import type { Deposit, DepositRequest } from '../domain/deposit';
import type { Transfer, TransferRequest } from '../domain/transfer';
import { RequestKeyTakenError, type RequestClaim } from '../ports/account-repository';

/** The routes whose keys are claimed, named as `httpIdempotency` scopes its records. */
export const DEPOSIT_KEY_SCOPE = 'POST /accounts/{accountId}/deposits';
export const TRANSFER_KEY_SCOPE = 'POST /transfers';

/** A request key as claimed: route, caller and the client's `Idempotency-Key`, so two callers' keys never meet. */
export function requestClaimKey(scope: string, userId: string, requestKey: string): string {
  return `${scope}#${userId}#${requestKey}`;
}

/**
 * The deposit the first request with this key made, when `request` is that same request; otherwise
 * `IdempotencyKeyReusedError` (422).
 */
export function earlierDeposit(claim: RequestClaim, request: DepositRequest): Deposit {
  if (
    claim.kind === 'deposit' &&
    claim.request.accountId === request.accountId &&
    claim.request.amountCents === request.amountCents
  ) {
    return claim.answer;
  }
  throw reused(claim);
}

/**
 * The transfer the first request with this key made, when `request` is that same request; otherwise
 * `IdempotencyKeyReusedError` (422).
 */
export function earlierTransfer(claim: RequestClaim, request: TransferRequest): Transfer {
  if (
    claim.kind === 'transfer' &&
    claim.request.fromAccountId === request.fromAccountId &&
    claim.request.toAccountId === request.toAccountId &&
    claim.request.amountCents === request.amountCents
  ) {
    return claim.answer;
  }
  throw reused(claim);
}

function reused(claim: RequestClaim): IdempotencyKeyReusedError {
  return new IdempotencyKeyReusedError({ cause: new RequestKeyTakenError(claim) });
}
