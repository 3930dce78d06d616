/**
 * A transfer between two accounts of one currency, decided on both accounts as read: the source debited,
 * the destination credited, each at its next version with a ledger entry, and the transfer recorded.
 * Pure; the application writes all of it in one transaction, conditional on both versions decided on
 * (and on the source still holding the amount), and decides again on fresh state when it loses a race.
 * Money is conserved: the two entries sum to zero.
 */
import type { Requester } from '../../../shared/identity/requester';
import type { Account, TransferEntry } from './account';
import {
  BalanceLimitExceededError,
  CurrencyMismatchError,
  InsufficientFundsError,
  InvalidAccountInputError,
  SameAccountError,
} from './errors';
import { isValidAmount, MAX_AMOUNT_CENTS, MAX_BALANCE_CENTS } from './money';

/** What a transfer request asks for. */
export interface TransferRequest {
  readonly fromAccountId: string;
  readonly toAccountId: string;
  readonly amountCents: number;
}

/** A transfer as it was made: what the API answers, and answers again to a retry of the request. */
export interface Transfer extends TransferRequest {
  /** `trf_` + ULID. */
  readonly transferId: string;
  /** A transfer is made whole or not at all: one that exists is complete. */
  readonly status: 'COMPLETED';
  readonly currency: string;
  /** The user who asked for it: the source account's owner (`shop` for the refund of an order). */
  readonly requestedBy: string;
  /** Set when the transfer pays an order (`ord_` + ULID) or refunds it. */
  readonly orderId?: string;
  /** ISO-8601. */
  readonly createdAt: string;
}

export interface TransferCommand extends TransferRequest {
  readonly transferId: string;
  readonly requester: Requester;
  /** ISO-8601. */
  readonly at: string;
  /** The order the transfer pays or refunds, if any: kept on the transfer and both ledger entries. */
  readonly orderId?: string;
}

export interface TransferDecision {
  /** The source at its next version, debited. */
  readonly from: Account;
  /** The destination at its next version, credited. */
  readonly to: Account;
  readonly transfer: Transfer;
  /** The source's debit and the destination's credit. */
  readonly entries: readonly [TransferEntry, TransferEntry];
}

/**
 * What can be refused before reading anything: the same account on both sides (`SameAccountError`), or
 * an amount out of bounds.
 */
export function checkTransferRequest(request: TransferRequest): void {
  if (request.fromAccountId === request.toAccountId) throw new SameAccountError(request.fromAccountId);
  if (!isValidAmount(request.amountCents)) {
    throw new InvalidAccountInputError('amountCents', `must be an integer from 1 to ${MAX_AMOUNT_CENTS}`);
  }
}

/**
 * Moves `amountCents` from `from` (which the requester owns: checked by the caller with `accountFor`) to
 * `to`. Refused, in this order: the request itself (`checkTransferRequest`), two currencies
 * (`CurrencyMismatchError`), a source holding less than the amount (`InsufficientFundsError`), a
 * destination that would pass the maximum balance (`BalanceLimitExceededError`).
 */
export function decideTransfer(from: Account, to: Account, command: TransferCommand): TransferDecision {
  checkTransferRequest(command);
  if (from.accountId !== command.fromAccountId || to.accountId !== command.toAccountId) {
    throw new Error(
      `The transfer from ${command.fromAccountId} to ${command.toAccountId} was given accounts ` +
        `${from.accountId} and ${to.accountId}.`,
    );
  }
  const { amountCents, transferId, at } = command;
  const order = command.orderId === undefined ? {} : { orderId: command.orderId };
  if (from.currency !== to.currency) throw new CurrencyMismatchError(from.currency, to.currency);
  if (from.balanceCents < amountCents) {
    throw new InsufficientFundsError(from.accountId, from.balanceCents, amountCents);
  }
  if (to.balanceCents + amountCents > MAX_BALANCE_CENTS) {
    throw new BalanceLimitExceededError(to.accountId, MAX_BALANCE_CENTS);
  }
  const debited: Account = {
    ...from,
    balanceCents: from.balanceCents - amountCents,
    version: from.version + 1,
  };
  const credited: Account = { ...to, balanceCents: to.balanceCents + amountCents, version: to.version + 1 };
  return {
    from: debited,
    to: credited,
    transfer: {
      transferId,
      status: 'COMPLETED',
      fromAccountId: from.accountId,
      toAccountId: to.accountId,
      amountCents,
      currency: from.currency,
      requestedBy: command.requester.userId,
      createdAt: at,
      ...order,
    },
    entries: [
      {
        type: 'TRANSFER_OUT',
        accountId: debited.accountId,
        version: debited.version,
        amountCents: -amountCents,
        balanceCents: debited.balanceCents,
        occurredAt: at,
        transferId,
        counterpartyAccountId: credited.accountId,
        ...order,
      },
      {
        type: 'TRANSFER_IN',
        accountId: credited.accountId,
        version: credited.version,
        amountCents,
        balanceCents: credited.balanceCents,
        occurredAt: at,
        transferId,
        counterpartyAccountId: debited.accountId,
        ...order,
      },
    ],
  };
}
