/** What other contexts may know of accounts: its API's answers. */
export type {
  AccountResponse,
  DepositResponse,
  TransactionResponse,
  TransactionsPageResponse,
  TransferResponse,
} from './account-responses';
