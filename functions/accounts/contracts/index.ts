/** What other contexts may know of accounts: its API's answers. */
export type {
  AccountResponse,
  DepositResponse,
  TransactionResponse,
  TransactionsPageResponse,
  TransferResponse,
} from './account-responses';
export type {
  AccountCharge,
  AccountChargeAnswer,
  AccountChargesAnswer,
  AccountPaymentAnswer,
  AccountPaymentRejected,
  AccountPaymentRequest,
  AccountRefundAnswer,
} from './account-payments';
export { ACCOUNT_DECLINE_CODES } from './account-payments';
