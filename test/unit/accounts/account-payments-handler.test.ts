import { InMemoryAccountRepository } from '../../../functions/accounts/adapters/in-memory-account-repository';
import { makeDepositMoney } from '../../../functions/accounts/application/deposit-money';
import { makeOpenAccount } from '../../../functions/accounts/application/open-account';
import {
  makeOrderPayments,
  type OrderPayments,
} from '../../../functions/accounts/application/order-payments';
import { makeHandler as makeAccountPaymentsHandler } from '../../../functions/accounts/handlers/account-payments';
import {
  accountId,
  ALICE,
  alice,
  BOB,
  depositId,
  fixedClock,
  instantRetry,
  sequence,
  staff,
  transferId,
} from './fixtures';

const ORDER = 'ord_01JD0000000000000000000001';

const silentLogger = {
  info: () => undefined,
  warn: () => undefined,
  appendKeys: () => undefined,
  removeKeys: () => undefined,
  resetKeys: () => undefined,
};

async function setup() {
  const repository = new InMemoryAccountRepository();
  const newAccountId = sequence(accountId);
  const account = await makeOpenAccount({ repository, newAccountId, now: fixedClock })(
    { currency: 'USD' },
    alice,
  );
  await makeDepositMoney({
    repository,
    newDepositId: sequence(depositId),
    now: fixedClock,
    retry: instantRetry,
  })({ accountId: account.accountId, amountCents: 5_000, requestKey: 'seed' }, staff);
  const orderPayments = makeOrderPayments({
    repository,
    newTransferId: sequence(transferId),
    newAccountId,
    now: fixedClock,
    retry: instantRetry,
  });
  const handler = makeAccountPaymentsHandler({ orderPayments, logger: silentLogger });
  const charge = {
    operation: 'charge',
    orderId: ORDER,
    payerId: ALICE,
    accountId: account.accountId,
    amountCents: 3_000,
    currency: 'USD',
  };
  return { handler, charge, repository, account };
}

describe('the accounts payment API (account-payments handler)', () => {
  test('charges, replays, lists and refunds an order in the contract shapes', async () => {
    // Prepare
    const { handler, charge } = await setup();
    // Act
    const captured = await handler(charge);
    const replayed = await handler(charge);
    const listed = await handler({ operation: 'list-charges', orderId: ORDER });
    const refunded = await handler({ operation: 'refund', orderId: ORDER, chargeId: transferId(1) });
    // Assess
    expect(captured).toEqual({
      outcome: 'captured',
      chargeId: transferId(1),
      amountCents: 3_000,
      currency: 'USD',
      replayed: false,
    });
    expect(replayed).toEqual({ ...captured, replayed: true });
    expect(listed).toEqual({
      outcome: 'listed',
      charges: [
        {
          chargeId: transferId(1),
          orderId: ORDER,
          accountId: charge.accountId,
          amountCents: 3_000,
          currency: 'USD',
          refundedCents: 0,
        },
      ],
    });
    expect(refunded).toEqual({
      outcome: 'refunded',
      refundId: transferId(2),
      chargeId: transferId(1),
      orderId: ORDER,
      amountCents: 3_000,
    });
  });

  test.each([
    ['too little money', { amountCents: 5_001 }, 'insufficient_funds'],
    ["another customer's account", { payerId: BOB }, 'account_not_found'],
    ['an account in another currency', { currency: 'EUR' }, 'currency_mismatch'],
  ])('declines %s with its code, moving nothing', async (_label, overrides, code) => {
    const { handler, charge, repository } = await setup();
    expect(await handler({ ...charge, ...overrides })).toMatchObject({ outcome: 'declined', code });
    expect(repository.transfers).toEqual([]);
  });

  test('rejects a second charge of the order with another amount, and a refund of an unknown charge', async () => {
    const { handler, charge } = await setup();
    await handler(charge);
    expect(await handler({ ...charge, amountCents: 1_000 })).toMatchObject({
      outcome: 'rejected',
      code: 'order_charged_otherwise',
    });
    expect(await handler({ operation: 'refund', orderId: ORDER, chargeId: transferId(9) })).toMatchObject({
      outcome: 'rejected',
      code: 'charge_not_found',
    });
  });

  test.each([
    ['no operation', { orderId: ORDER }],
    ['an unknown operation', { operation: 'withdraw', orderId: ORDER }],
    ['a malformed order id', { operation: 'list-charges', orderId: 'order-1' }],
    ['a refund without a charge', { operation: 'refund', orderId: ORDER }],
    ['a charge id that is not a transfer id', { operation: 'refund', orderId: ORDER, chargeId: 'ch_1' }],
    ['an unknown field', { operation: 'list-charges', orderId: ORDER, accountId: accountId(1) }],
    ['not an object', 'charge'],
  ])('rejects %s as invalid_request, moving nothing', async (_label, request) => {
    const { handler, repository } = await setup();
    expect(await handler(request)).toMatchObject({ outcome: 'rejected', code: 'invalid_request' });
    expect(repository.transfers).toEqual([]);
  });

  test.each([
    ['a zero amount', { amountCents: 0 }],
    ['a fractional amount', { amountCents: 10.5 }],
    ['a lower-case currency', { currency: 'usd' }],
    ['a payer that is not a user id', { payerId: 'shop' }],
    ['a malformed account id', { accountId: 'acc_1' }],
  ])('rejects a charge with %s as invalid_request', async (_label, overrides) => {
    const { handler, charge } = await setup();
    expect(await handler({ ...charge, ...overrides })).toMatchObject({
      outcome: 'rejected',
      code: 'invalid_request',
    });
  });

  test('throws what is no refusal (a store failing): the caller repeats the call safely', async () => {
    const failing: OrderPayments = {
      charge: () => Promise.reject(new Error('DynamoDB is unreachable')),
      refund: () => Promise.reject(new Error('DynamoDB is unreachable')),
      listCharges: () => Promise.reject(new Error('DynamoDB is unreachable')),
    };
    const handler = makeAccountPaymentsHandler({ orderPayments: failing, logger: silentLogger });
    const { charge } = await setup();
    await expect(handler(charge)).rejects.toThrow('DynamoDB is unreachable');
  });
});
