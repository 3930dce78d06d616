import type { Requester } from '../../../shared/identity/requester';
import {
  CLIENT_REQUEST_RETRY,
  retryLostRaces,
  type CallBudget,
  type LostRaceRetryOptions,
} from '../../../shared/resilience';
import { accountFor, existingAccount, maySpendFrom, type Account } from '../domain/account';
import {
  checkTransferRequest,
  decideTransfer,
  type Transfer,
  type TransferRequest,
} from '../domain/transfer';
import {
  RequestKeyTakenError,
  StaleAccountsError,
  type AccountRepository,
} from '../ports/account-repository';

import { earlierTransfer, requestClaimKey, TRANSFER_KEY_SCOPE } from './request-claims';
import { definedProps } from '../../../shared/objects/defined-props';
import { NotFoundError, UnprocessableError } from '../../../shared/errors/app-error';
import { TRANSFER_METRICS, type CountTransferOutcome } from '../ports/transfer-metrics';

export interface TransferMoneyInput extends TransferRequest {
  /** The request's `Idempotency-Key`: claimed with the transfer, so no retry can move the money twice. */
  readonly requestKey: string;
}

export type TransferMoney = (
  input: TransferMoneyInput,
  requester: Requester,
  budget?: CallBudget,
) => Promise<Transfer>;

export interface TransferMoneyDependencies {
  readonly repository: AccountRepository;
  /** `trf_` + ULID in production. */
  readonly newTransferId: () => string;
  readonly now: () => Date;
  /** @default CLIENT_REQUEST_RETRY */
  readonly retry?: LostRaceRetryOptions;
  /** Counts the transfers made and refused, and the races lost on the way. */
  readonly countOutcome?: CountTransferOutcome;
}

/** A transfer to make under a claimed key: what `POST /transfers` and the payment of an order share. */
export interface MoveMoneyCommand {
  readonly request: TransferRequest;
  /** Who moves the money: they must own the source account. */
  readonly requester: Requester;
  /** The key claimed with the transfer (scoped by the caller): no retry can move the money twice. */
  readonly claimKey: string;
  /** The order the transfer pays or refunds, if any. */
  readonly orderId?: string;
}

export interface MovedMoney {
  readonly transfer: Transfer;
  /** True when the key was claimed before by the same request: nothing moved this time. */
  readonly replayed: boolean;
}

export type MoveMoney = (command: MoveMoneyCommand, budget?: CallBudget) => Promise<MovedMoney>;

/**
 * Optimistic locking over two accounts: read both with their versions, decide, then one transaction
 * updates both only if both versions still match (and the source still holds the amount), and records
 * the transfer, its two ledger entries and the claimed key. A lost race is decided again on fresh state —
 * the accounts the failed write returned, the others as read — within the retry's time; then 409
 * `CONCURRENT_MODIFICATION`. A key claimed before answers the transfer it made (the same request) or 422
 * (another one), and moves nothing.
 */
export function makeMoveMoney(deps: TransferMoneyDependencies): MoveMoney {
  const count = deps.countOutcome ?? (() => undefined);
  const policy: LostRaceRetryOptions = deps.retry ?? CLIENT_REQUEST_RETRY;
  const retry: LostRaceRetryOptions = {
    ...policy,
    onRetry: (info) => {
      count(TRANSFER_METRICS.lostRaces);
      policy.onRetry?.(info);
    },
  };
  return async (command, budget) => {
    const { request, requester, claimKey: key } = command;
    const claimed = await deps.repository.findClaim(key);
    // A retry is answered what the first request was, whatever the balances are now.
    if (claimed !== undefined) return { transfer: earlierTransfer(claimed, request), replayed: true };
    checkTransferRequest(request);
    // One id for every attempt: the transfer is one, however many races it loses.
    const transferId = deps.newTransferId();
    let known: ReadonlyMap<string, Account | undefined> = new Map();
    try {
      const transfer = await retryLostRaces(
        async () => {
          const [fromRead, toRead] = await Promise.all(
            [request.fromAccountId, request.toAccountId].map((accountId) =>
              known.has(accountId) ? known.get(accountId) : deps.repository.findAccount(accountId),
            ),
          );
          known = new Map([
            [request.fromAccountId, fromRead],
            [request.toAccountId, toRead],
          ]);
          const from = accountFor(fromRead, request.fromAccountId, requester, maySpendFrom);
          const to = existingAccount(toRead, request.toAccountId);
          const decision = decideTransfer(from, to, {
            ...request,
            transferId,
            requester,
            at: deps.now().toISOString(),
            ...definedProps({ orderId: command.orderId }),
          });
          try {
            await deps.repository.saveTransfer({
              decision,
              expectedVersions: { from: from.version, to: to.version },
              claim: { kind: 'transfer', key, request, answer: decision.transfer },
            });
          } catch (error) {
            if (error instanceof StaleAccountsError) known = freshStateAfter(error, known);
            throw error;
          }
          return decision.transfer;
        },
        retry,
        budget,
      );
      count(TRANSFER_METRICS.made);
      return { transfer, replayed: false };
    } catch (error) {
      // A concurrent request with the key got there first.
      if (error instanceof RequestKeyTakenError) {
        return { transfer: earlierTransfer(error.claim, request), replayed: true };
      }
      if (error instanceof UnprocessableError || error instanceof NotFoundError) {
        count(TRANSFER_METRICS.refused, error.code);
      }
      throw error;
    }
  };
}

/** `POST /transfers`: the caller's transfer, its `Idempotency-Key` claimed per caller (`makeMoveMoney`). */
export function makeTransferMoney(deps: TransferMoneyDependencies): TransferMoney {
  const move = makeMoveMoney(deps);
  return async (input, requester, budget) => {
    const request: TransferRequest = {
      fromAccountId: input.fromAccountId,
      toAccountId: input.toAccountId,
      amountCents: input.amountCents,
    };
    const claimKey = requestClaimKey(TRANSFER_KEY_SCOPE, requester.userId, input.requestKey);
    const { transfer } = await move({ request, requester, claimKey }, budget);
    return transfer;
  };
}

/**
 * What the next attempt decides on: the accounts the failed write returned (as the conditions found
 * them), and the others as read — a write on a stale one fails again and returns it. When none came back
 * (a `TransactionConflict` returns no item), both are read again.
 */
function freshStateAfter(
  lost: StaleAccountsError,
  known: ReadonlyMap<string, Account | undefined>,
): ReadonlyMap<string, Account | undefined> {
  if (lost.current.length === 0) return new Map();
  const fresh = new Map(known);
  for (const account of lost.current) {
    if (fresh.has(account.accountId)) fresh.set(account.accountId, account);
  }
  return fresh;
}
