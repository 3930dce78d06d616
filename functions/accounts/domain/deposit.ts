/**
 * A deposit: a simulated top-up that credits one account. Pure; the application writes the account at
 * its next version and the ledger entry together, conditional on the version decided on.
 */
import type { Requester } from '../../../shared/identity/requester';
import type { Account, DepositEntry } from './account';
import { BalanceLimitExceededError, InvalidAccountInputError } from './errors';
import { isValidAmount, MAX_AMOUNT_CENTS, MAX_BALANCE_CENTS } from './money';

/** What a deposit request asks for. */
export interface DepositRequest {
  readonly accountId: string;
  readonly amountCents: number;
}

/** A deposit as it was made: what the API answers, and answers again to a retry of the request. */
export interface Deposit {
  /** `dep_` + ULID. */
  readonly depositId: string;
  readonly accountId: string;
  readonly amountCents: number;
  readonly currency: string;
  /** The account's balance right after the deposit. */
  readonly balanceCents: number;
  /** The account's version right after the deposit: the number of its ledger entry. */
  readonly version: number;
  /** The user who made it: the owner or staff. */
  readonly depositedBy: string;
  /** ISO-8601. */
  readonly depositedAt: string;
}

export interface DepositCommand {
  readonly depositId: string;
  readonly amountCents: number;
  readonly requester: Requester;
  /** ISO-8601. */
  readonly at: string;
}

export interface DepositDecision {
  /** The account at its next version. */
  readonly account: Account;
  readonly entry: DepositEntry;
  readonly deposit: Deposit;
}

/**
 * Credits `amountCents` to the account (which the requester may serve: checked by the caller with
 * `accountFor`); `BalanceLimitExceededError` when the balance would pass the maximum.
 */
export function decideDeposit(account: Account, command: DepositCommand): DepositDecision {
  const { amountCents } = command;
  if (!isValidAmount(amountCents)) {
    throw new InvalidAccountInputError('amountCents', `must be an integer from 1 to ${MAX_AMOUNT_CENTS}`);
  }
  if (account.balanceCents + amountCents > MAX_BALANCE_CENTS) {
    throw new BalanceLimitExceededError(account.accountId, MAX_BALANCE_CENTS);
  }
  const next: Account = {
    ...account,
    balanceCents: account.balanceCents + amountCents,
    version: account.version + 1,
  };
  return {
    account: next,
    entry: {
      type: 'DEPOSIT',
      accountId: next.accountId,
      version: next.version,
      amountCents,
      balanceCents: next.balanceCents,
      occurredAt: command.at,
      depositId: command.depositId,
    },
    deposit: {
      depositId: command.depositId,
      accountId: next.accountId,
      amountCents,
      currency: next.currency,
      balanceCents: next.balanceCents,
      version: next.version,
      depositedBy: command.requester.userId,
      depositedAt: command.at,
    },
  };
}
