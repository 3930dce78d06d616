import type { Requester } from '../../../shared/identity/requester';
import {
  CLIENT_REQUEST_RETRY,
  retryLostRaces,
  type CallBudget,
  type LostRaceRetryOptions,
} from '../../../shared/resilience';
import { accountFor, mayServe, type Account } from '../domain/account';
import { decideDeposit, type Deposit, type DepositRequest } from '../domain/deposit';
import {
  RequestKeyTakenError,
  StaleAccountsError,
  type AccountRepository,
} from '../ports/account-repository';

import { DEPOSIT_KEY_SCOPE, earlierDeposit, requestClaimKey } from './request-claims';

export interface DepositMoneyInput extends DepositRequest {
  /** The request's `Idempotency-Key`: claimed with the deposit, so no retry can credit twice. */
  readonly requestKey: string;
}

export type DepositMoney = (
  input: DepositMoneyInput,
  requester: Requester,
  budget?: CallBudget,
) => Promise<Deposit>;

export interface DepositMoneyDependencies {
  readonly repository: AccountRepository;
  /** `dep_` + ULID in production. */
  readonly newDepositId: () => string;
  readonly now: () => Date;
  /** @default CLIENT_REQUEST_RETRY */
  readonly retry?: LostRaceRetryOptions;
}

/**
 * `POST /accounts/{accountId}/deposits`, a simulated top-up by the owner or staff: read the account,
 * decide the deposit, write the account at its next version with its ledger entry and the request's
 * claimed key, conditional on the version read. A lost race is decided again on the fresh state (the
 * one the failed write returned, else a new read) within the retry's time. A key claimed before answers
 * the deposit it made (the same request) or 422 (another one), and writes nothing.
 */
export function makeDepositMoney(deps: DepositMoneyDependencies): DepositMoney {
  const retry = deps.retry ?? CLIENT_REQUEST_RETRY;
  return async (input, requester, budget) => {
    const request: DepositRequest = { accountId: input.accountId, amountCents: input.amountCents };
    const key = requestClaimKey(DEPOSIT_KEY_SCOPE, requester.userId, input.requestKey);
    const claimed = await deps.repository.findClaim(key);
    if (claimed !== undefined) return earlierDeposit(claimed, request);
    // One id for every attempt: the deposit is one, however many races it loses.
    const depositId = deps.newDepositId();
    let returnedByConflict: Account | undefined;
    try {
      return await retryLostRaces(
        async () => {
          const read = returnedByConflict ?? (await deps.repository.findAccount(request.accountId));
          returnedByConflict = undefined;
          const account = accountFor(read, request.accountId, requester, mayServe);
          const decision = decideDeposit(account, {
            depositId,
            amountCents: request.amountCents,
            requester,
            at: deps.now().toISOString(),
          });
          try {
            await deps.repository.saveDeposit({
              decision,
              expectedVersion: account.version,
              claim: { kind: 'deposit', key, request, answer: decision.deposit },
            });
          } catch (error) {
            if (error instanceof StaleAccountsError) {
              returnedByConflict = error.current.find((fresh) => fresh.accountId === request.accountId);
            }
            throw error;
          }
          return decision.deposit;
        },
        retry,
        budget,
      );
    } catch (error) {
      // A concurrent request with the key got there first.
      if (error instanceof RequestKeyTakenError) return earlierDeposit(error.claim, request);
      throw error;
    }
  };
}
