import type {
  AccountResponse,
  DepositResponse,
  TransactionResponse,
  TransferResponse,
} from '../contracts/account-responses';
import type { Account, LedgerEntry } from '../domain/account';
import type { Deposit } from '../domain/deposit';
import type { Transfer } from '../domain/transfer';
import { definedProps } from '../../../shared/objects/defined-props';

// Field by field, so nothing stored beside a value ever leaks into an answer.

export function toAccountResponse(account: Account): AccountResponse {
  return {
    accountId: account.accountId,
    ownerId: account.ownerId,
    currency: account.currency,
    balanceCents: account.balanceCents,
    version: account.version,
  };
}

export function toDepositResponse(deposit: Deposit): DepositResponse {
  return {
    depositId: deposit.depositId,
    accountId: deposit.accountId,
    amountCents: deposit.amountCents,
    currency: deposit.currency,
    balanceCents: deposit.balanceCents,
    version: deposit.version,
  };
}

export function toTransferResponse(transfer: Transfer): TransferResponse {
  return {
    transferId: transfer.transferId,
    status: transfer.status,
    fromAccountId: transfer.fromAccountId,
    toAccountId: transfer.toAccountId,
    amountCents: transfer.amountCents,
  };
}

export function toTransactionResponse(entry: LedgerEntry): TransactionResponse {
  const common = {
    version: entry.version,
    type: entry.type,
    amountCents: entry.amountCents,
    balanceCents: entry.balanceCents,
    occurredAt: entry.occurredAt,
  };
  return entry.type === 'DEPOSIT'
    ? { ...common, depositId: entry.depositId }
    : {
        ...common,
        transferId: entry.transferId,
        counterpartyAccountId: entry.counterpartyAccountId,
        ...definedProps({ orderId: entry.orderId }),
      };
}
