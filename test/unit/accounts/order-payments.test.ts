import { IdempotencyKeyReusedError } from '../../../shared/idempotency/errors';
import { InMemoryAccountRepository } from '../../../functions/accounts/adapters/in-memory-account-repository';
import { makeDepositMoney } from '../../../functions/accounts/application/deposit-money';
import { makeOpenAccount } from '../../../functions/accounts/application/open-account';
import { makeOrderPayments } from '../../../functions/accounts/application/order-payments';
import { ledgerSum, SHOP_OWNER_ID } from '../../../functions/accounts/domain/account';
import {
  AccountNotFoundError,
  CurrencyMismatchError,
  InsufficientFundsError,
  OrderChargeNotFoundError,
} from '../../../functions/accounts/domain/errors';
import {
  accountId,
  ALICE,
  alice,
  BOB,
  bob,
  depositId,
  fixedClock,
  instantRetry,
  sequence,
  staff,
  transferId,
} from './fixtures';

const ORDER = 'ord_01JD0000000000000000000001';
const OTHER_ORDER = 'ord_01JD0000000000000000000002';

/** Alice's USD account holding `balanceCents`, Bob's EUR account, and the payments port over them. */
async function setup(balanceCents = 10_000) {
  const repository = new InMemoryAccountRepository();
  const newAccountId = sequence(accountId);
  const open = makeOpenAccount({ repository, newAccountId, now: fixedClock });
  const deposit = makeDepositMoney({
    repository,
    newDepositId: sequence(depositId),
    now: fixedClock,
    retry: instantRetry,
  });
  const aliceUsd = await open({ currency: 'USD' }, alice);
  const bobEur = await open({ currency: 'EUR' }, bob);
  await deposit({ accountId: aliceUsd.accountId, amountCents: balanceCents, requestKey: 'seed' }, staff);
  await deposit({ accountId: bobEur.accountId, amountCents: 10_000, requestKey: 'seed-bob' }, staff);
  const payments = makeOrderPayments({
    repository,
    newTransferId: sequence(transferId),
    newAccountId,
    now: fixedClock,
    retry: instantRetry,
  });
  const charge = (overrides: Partial<Parameters<typeof payments.charge>[0]> = {}) =>
    payments.charge({
      orderId: ORDER,
      payerId: ALICE,
      accountId: aliceUsd.accountId,
      amountCents: 3_000,
      currency: 'USD',
      ...overrides,
    });
  const balanceOf = async (id: string) => (await repository.findAccount(id))?.balanceCents;
  return { repository, payments, charge, aliceUsd, bobEur, open, deposit, balanceOf };
}

function expectLedgersBalanced(repository: InMemoryAccountRepository): void {
  for (const account of repository.allAccounts()) {
    const ledger = repository.ledgerOf(account.accountId);
    expect(ledgerSum(ledger)).toBe(account.balanceCents);
    expect(account.version).toBe(ledger.length);
  }
}

describe('an order paid from an account', () => {
  test("moves the amount into the shop's account in the currency, opened on its first payment", async () => {
    // Prepare
    const { repository, charge, aliceUsd, balanceOf } = await setup();
    // Act
    const { charge: made, replayed } = await charge();
    // Assess
    const shop = await repository.findShopAccount('USD');
    expect(shop).toMatchObject({ ownerId: SHOP_OWNER_ID, currency: 'USD', balanceCents: 3_000, version: 1 });
    expect(made).toEqual({
      chargeId: transferId(1),
      orderId: ORDER,
      accountId: aliceUsd.accountId,
      amountCents: 3_000,
      currency: 'USD',
      refundedCents: 0,
    });
    expect(replayed).toBe(false);
    expect(await balanceOf(aliceUsd.accountId)).toBe(7_000);
    // Both legs name the order in the ledgers.
    expect(repository.ledgerOf(aliceUsd.accountId).at(-1)).toMatchObject({
      type: 'TRANSFER_OUT',
      amountCents: -3_000,
      orderId: ORDER,
      counterpartyAccountId: shop?.accountId,
    });
    expect(repository.transfers).toEqual([expect.objectContaining({ requestedBy: ALICE, orderId: ORDER })]);
    expectLedgersBalanced(repository);
  });

  test('is charged once per order: a repeat answers the same charge and moves nothing', async () => {
    const { repository, charge, aliceUsd, balanceOf } = await setup();
    const first = await charge();
    const again = await charge();
    expect(again).toEqual({ charge: first.charge, replayed: true });
    expect(await balanceOf(aliceUsd.accountId)).toBe(7_000);
    expect(repository.transfers).toHaveLength(1);
  });

  test.each([
    ['too little money', { amountCents: 10_001 }, InsufficientFundsError],
    ["another customer's account", { payerId: BOB }, AccountNotFoundError],
    ['an account that does not exist', { accountId: accountId(99) }, AccountNotFoundError],
    ['an account in another currency', { currency: 'EUR' }, CurrencyMismatchError],
  ])('refuses %s and moves nothing', async (_label, overrides, refusal) => {
    const { repository, charge, aliceUsd, balanceOf } = await setup();
    await expect(charge(overrides)).rejects.toBeInstanceOf(refusal);
    expect(await balanceOf(aliceUsd.accountId)).toBe(10_000);
    expect(repository.transfers).toEqual([]);
    // A refused charge claims nothing: the order has no charge.
    expect(await makeList(repository)(ORDER)).toEqual([]);
  });

  test('refuses to charge an order again with another account or amount', async () => {
    const { charge } = await setup();
    await charge();
    await expect(charge({ amountCents: 2_000 })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  test("gives the whole charge back from the shop's account, once", async () => {
    // Prepare
    const { repository, payments, charge, aliceUsd, balanceOf } = await setup();
    const { charge: made } = await charge();
    // Act
    const refund = await payments.refund(ORDER, made.chargeId);
    const again = await payments.refund(ORDER, made.chargeId);
    // Assess
    expect(refund).toEqual({
      refundId: transferId(2),
      chargeId: made.chargeId,
      orderId: ORDER,
      amountCents: 3_000,
    });
    expect(again).toEqual(refund);
    expect(await balanceOf(aliceUsd.accountId)).toBe(10_000);
    expect((await repository.findShopAccount('USD'))?.balanceCents).toBe(0);
    expect(repository.transfers[1]).toMatchObject({ requestedBy: SHOP_OWNER_ID, orderId: ORDER });
    expect(await payments.listCharges(ORDER)).toEqual([{ ...made, refundedCents: 3_000 }]);
    expectLedgersBalanced(repository);
  });

  test('refuses to refund a charge the order does not have', async () => {
    const { payments, charge } = await setup();
    const { charge: made } = await charge();
    await expect(payments.refund(OTHER_ORDER, made.chargeId)).rejects.toBeInstanceOf(
      OrderChargeNotFoundError,
    );
    await expect(payments.refund(ORDER, transferId(42))).rejects.toBeInstanceOf(OrderChargeNotFoundError);
  });

  test("lists the order's charge, and nothing for an order never charged", async () => {
    const { payments, charge } = await setup();
    const { charge: made } = await charge();
    expect(await payments.listCharges(ORDER)).toEqual([made]);
    expect(await payments.listCharges(OTHER_ORDER)).toEqual([]);
  });

  test('30 orders paid at once all land in the one shop account, each once: races are retried on fresh state', async () => {
    // Prepare
    const { repository, payments, aliceUsd, balanceOf } = await setup(30 * 100);
    const orders = Array.from({ length: 30 }, (_, n) => `ord_01JD${String(n + 100).padStart(22, '0')}`);
    // Act: every order twice, all at once.
    await Promise.all(
      [...orders, ...orders].map((orderId) =>
        payments.charge({
          orderId,
          payerId: ALICE,
          accountId: aliceUsd.accountId,
          amountCents: 100,
          currency: 'USD',
        }),
      ),
    );
    // Assess
    expect(await balanceOf(aliceUsd.accountId)).toBe(0);
    const shop = await repository.findShopAccount('USD');
    expect(shop).toMatchObject({ balanceCents: 3_000, version: 30 });
    expect(repository.transfers).toHaveLength(30);
    expectLedgersBalanced(repository);
  });

  test('first payments racing in a new currency share one shop account', async () => {
    // Prepare: two payment containers, each with its own memory of the shop's accounts.
    const { repository, bobEur } = await setup();
    const containers = [1, 2].map((container) =>
      makeOrderPayments({
        repository,
        newTransferId: sequence((n) => transferId(container * 100 + n)),
        newAccountId: sequence((n) => accountId(container * 100 + n)),
        now: fixedClock,
        retry: instantRetry,
      }),
    );
    // Act
    await Promise.all(
      containers.map((payments, index) =>
        payments.charge({
          orderId: index === 0 ? ORDER : OTHER_ORDER,
          payerId: BOB,
          accountId: bobEur.accountId,
          amountCents: 1_000,
          currency: 'EUR',
        }),
      ),
    );
    // Assess
    const shops = repository.allAccounts().filter((account) => account.ownerId === SHOP_OWNER_ID);
    expect(shops).toHaveLength(1);
    expect(shops[0]).toMatchObject({ currency: 'EUR', balanceCents: 2_000, version: 2 });
  });
});

/** The order's charges as another container reads them. */
function makeList(repository: InMemoryAccountRepository) {
  return makeOrderPayments({
    repository,
    newTransferId: sequence(transferId),
    newAccountId: sequence(accountId),
    now: fixedClock,
    retry: instantRetry,
  }).listCharges;
}
