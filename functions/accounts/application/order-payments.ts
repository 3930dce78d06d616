import type { CallBudget, LostRaceRetryPolicy } from '../../../shared/resilience';
import { openAccount, SHOP, type Account } from '../domain/account';
import { OrderChargeNotFoundError } from '../domain/errors';
import type { Transfer } from '../domain/transfer';
import { makeMoveMoney, type TransferMoneyDependencies } from './transfer-money';

/** A payment of an order from a customer's account, as the payments context asks for it. */
export interface ChargeOrderCommand {
  /** `ord_` + ULID: an order is charged once, whatever the number of requests. */
  readonly orderId: string;
  /** The customer who pays (`usr_` + ULID): they must own the account. */
  readonly payerId: string;
  readonly accountId: string;
  readonly amountCents: number;
  /** The order's currency: the account must hold it. */
  readonly currency: string;
}

/** An order's charge: the transfer from the customer's account to the shop's. */
export interface OrderCharge {
  /** The transfer's id, `trf_` + ULID. */
  readonly chargeId: string;
  readonly orderId: string;
  /** The customer's account it was paid from. */
  readonly accountId: string;
  readonly amountCents: number;
  readonly currency: string;
  /** What was given back of it: 0, or all of it once refunded. */
  readonly refundedCents: number;
}

/** An order's refund: the transfer from the shop's account back to the customer's. */
export interface OrderRefund {
  /** The transfer's id, `trf_` + ULID. */
  readonly refundId: string;
  readonly chargeId: string;
  readonly orderId: string;
  readonly amountCents: number;
}

/** What the payments context asks of accounts to take an order's money from an account and give it back. */
export interface OrderPayments {
  /**
   * Moves the order's amount from the customer's account to the shop's account in its currency (opened
   * on its first payment). Once per order: a repeat answers the same charge (`replayed`). Throws the
   * domain's refusals: `AccountNotFoundError` (none, or not the payer's), `CurrencyMismatchError`,
   * `InsufficientFundsError`; `IdempotencyKeyReusedError` when the order was charged otherwise before.
   */
  charge(
    command: ChargeOrderCommand,
    budget?: CallBudget,
  ): Promise<{ charge: OrderCharge; replayed: boolean }>;
  /** Gives the whole charge back, once; a repeat answers the same refund. `OrderChargeNotFoundError` if unknown. */
  refund(orderId: string, chargeId: string, budget?: CallBudget): Promise<OrderRefund>;
  /** The order's charge from an account, if any, with what was refunded of it. */
  listCharges(orderId: string): Promise<readonly OrderCharge[]>;
}

export interface OrderPaymentsDependencies extends TransferMoneyDependencies {
  /** `acc_` + ULID in production: the shop's account in a new currency. */
  readonly newAccountId: () => string;
}

/**
 * For another context's call (the payment of an order): shorter than the caller's timeout, which then
 * repeats the call safely (its key is claimed with the transfer). Every order paid from an account
 * credits the shop's account in its currency, so concurrent payments race for that one account.
 */
export const SERVICE_CALL_RETRY: LostRaceRetryPolicy = {
  maxAttempts: 1_000,
  firstPauseMs: 20,
  maxElapsedMs: 2_500,
  answerReserveMs: 500,
};

/** The keys claimed with an order's charge and with its refund: one of each, ever. */
export function orderChargeKey(orderId: string): string {
  return `order charge#${orderId}`;
}

export function orderRefundKey(chargeId: string): string {
  return `order refund#${chargeId}`;
}

/**
 * An order paid from an account is a transfer, under the same optimistic locking as `POST /transfers`:
 * the payer's account to the shop's, with the key `order charge#<orderId>` claimed in the same
 * transaction (so no retry of the saga's step charges twice), and back for the refund with the key
 * `order refund#<chargeId>`. Both legs carry the order's id in the ledgers.
 */
export function makeOrderPayments(deps: OrderPaymentsDependencies): OrderPayments {
  const move = makeMoveMoney(deps);
  /** The shop's account per currency: opened once, never moved, so kept for the container's life. */
  const shopAccountIds = new Map<string, string>();

  async function shopAccountIn(currency: string): Promise<string> {
    const known = shopAccountIds.get(currency);
    if (known !== undefined) return known;
    const account: Account =
      (await deps.repository.findShopAccount(currency)) ??
      (await deps.repository.openShopAccount(
        openAccount({
          accountId: deps.newAccountId(),
          ownerId: SHOP.userId,
          currency,
          openedAt: deps.now().toISOString(),
        }),
      ));
    shopAccountIds.set(currency, account.accountId);
    return account.accountId;
  }

  async function chargeOf(orderId: string): Promise<Transfer | undefined> {
    const claim = await deps.repository.findClaim(orderChargeKey(orderId));
    return claim?.kind === 'transfer' ? claim.answer : undefined;
  }

  return {
    async charge(command, budget) {
      const shopAccountId = await shopAccountIn(command.currency);
      const { transfer, replayed } = await move(
        {
          request: {
            fromAccountId: command.accountId,
            toAccountId: shopAccountId,
            amountCents: command.amountCents,
          },
          requester: { userId: command.payerId, isStaff: false },
          claimKey: orderChargeKey(command.orderId),
          orderId: command.orderId,
        },
        budget,
      );
      return { charge: chargeFrom(transfer, command.orderId, 0), replayed };
    },

    async refund(orderId, chargeId, budget) {
      const charge = await chargeOf(orderId);
      if (charge === undefined || charge.transferId !== chargeId) {
        throw new OrderChargeNotFoundError(orderId, chargeId);
      }
      const { transfer } = await move(
        {
          request: {
            fromAccountId: charge.toAccountId,
            toAccountId: charge.fromAccountId,
            amountCents: charge.amountCents,
          },
          requester: SHOP,
          claimKey: orderRefundKey(chargeId),
          orderId,
        },
        budget,
      );
      return { refundId: transfer.transferId, chargeId, orderId, amountCents: transfer.amountCents };
    },

    async listCharges(orderId) {
      const charge = await chargeOf(orderId);
      if (charge === undefined) return [];
      const refund = await deps.repository.findClaim(orderRefundKey(charge.transferId));
      return [chargeFrom(charge, orderId, refund === undefined ? 0 : charge.amountCents)];
    },
  };
}

function chargeFrom(transfer: Transfer, orderId: string, refundedCents: number): OrderCharge {
  return {
    chargeId: transfer.transferId,
    orderId,
    accountId: transfer.fromAccountId,
    amountCents: transfer.amountCents,
    currency: transfer.currency,
    refundedCents,
  };
}
