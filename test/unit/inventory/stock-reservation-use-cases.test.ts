import { InMemoryProductRepository } from '../../../functions/inventory/adapters/in-memory-product-repository';
import type { OrderStock } from '../../../functions/inventory/application/change-reservation';
import { makeCommitStock } from '../../../functions/inventory/application/commit-stock';
import { makeReleaseStock } from '../../../functions/inventory/application/release-stock';
import { makeReserveStock } from '../../../functions/inventory/application/reserve-stock';
import { OutOfStockError, ReservationNotFoundError } from '../../../functions/inventory/domain/errors';
import type { Product } from '../../../functions/inventory/domain/product';
import { totalStock } from '../../../functions/inventory/domain/stock-reservation';
import type {
  ReservationWrite,
  StockReservationRepository,
} from '../../../functions/inventory/ports/stock-reservation-repository';
import {
  aProduct,
  FIXED_NOW,
  fixedContext,
  nextTick,
  ORDER_ID,
  orderId,
  OTHER_PRODUCT_ID,
  PRODUCT_ID,
  productId,
} from './fixtures';

/** No real waiting, enough attempts for every racer to get through. */
const instantRetry = {
  maxAttempts: 250,
  firstPauseMs: 0,
  maxElapsedMs: 60_000,
  answerReserveMs: 0,
  sleep: nextTick,
};

async function repositoryWith(...products: Product[]): Promise<InMemoryProductRepository> {
  const repository = new InMemoryProductRepository();
  for (const product of products) {
    await repository.create(product, {
      eventId: `evt-created-${product.productId}`,
      type: 'ProductCreated',
      aggregateType: 'Product',
      aggregateId: product.productId,
      version: product.version,
      occurredAt: FIXED_NOW,
      correlationId: 'corr-0',
      causationId: 'req-0',
      schemaVersion: 1,
      data: {
        productId: product.productId,
        name: product.name,
        priceCents: product.priceCents,
        currency: product.currency,
        available: product.available,
      },
    });
  }
  repository.outbox.length = 0;
  return repository;
}

function useCases(repository: StockReservationRepository) {
  const deps = { repository, retry: instantRetry };
  return {
    reserve: makeReserveStock(deps),
    release: makeReleaseStock(deps),
    commit: makeCommitStock(deps),
  };
}

const order = (items: OrderStock['items'], id = ORDER_ID): OrderStock => ({ orderId: id, items });

/** Runs `interfere` once, between the first load and the first save: a concurrent writer. */
function interleaved(
  inner: StockReservationRepository,
  interfere: () => Promise<void>,
): StockReservationRepository {
  let interfered = false;
  return {
    load: (...args) => inner.load(...args),
    save: async (write: ReservationWrite) => {
      if (!interfered) {
        interfered = true;
        await interfere();
      }
      return inner.save(write);
    },
  };
}

describe('reserve stock', () => {
  test('holds every line, each product at its next version with its StockReserved', async () => {
    // Prepare
    const repository = await repositoryWith(
      aProduct({ available: 5 }),
      aProduct({ productId: OTHER_PRODUCT_ID, available: 2, version: 3 }),
    );
    const { reserve } = useCases(repository);
    // Act
    const outcomes = await reserve(
      order([
        { productId: PRODUCT_ID, quantity: 3 },
        { productId: OTHER_PRODUCT_ID, quantity: 2 },
      ]),
      fixedContext(),
    );
    // Assess
    expect(outcomes).toEqual([
      {
        productId: PRODUCT_ID,
        outcome: 'moved',
        reservation: { orderId: ORDER_ID, productId: PRODUCT_ID, quantity: 3, status: 'RESERVED' },
      },
      {
        productId: OTHER_PRODUCT_ID,
        outcome: 'moved',
        reservation: { orderId: ORDER_ID, productId: OTHER_PRODUCT_ID, quantity: 2, status: 'RESERVED' },
      },
    ]);
    expect(await repository.find(PRODUCT_ID)).toMatchObject({ available: 2, reserved: 3, version: 2 });
    expect(await repository.find(OTHER_PRODUCT_ID)).toMatchObject({ available: 0, reserved: 2, version: 4 });
    expect(repository.outbox).toEqual([
      {
        eventId: 'evt-1',
        type: 'StockReserved',
        aggregateType: 'Product',
        aggregateId: PRODUCT_ID,
        version: 2,
        occurredAt: FIXED_NOW,
        correlationId: 'corr-1',
        causationId: 'req-1',
        schemaVersion: 1,
        data: { orderId: ORDER_ID, productId: PRODUCT_ID, quantity: 3, available: 2, reserved: 3, sold: 0 },
      },
      expect.objectContaining({ type: 'StockReserved', aggregateId: OTHER_PRODUCT_ID, version: 4 }),
    ]);
  });

  test('a retried reserve holds nothing twice', async () => {
    // Prepare
    const repository = await repositoryWith(aProduct({ available: 5 }));
    const { reserve } = useCases(repository);
    const lines = order([{ productId: PRODUCT_ID, quantity: 3 }]);
    await reserve(lines, fixedContext());
    // Act
    const again = await reserve(lines, fixedContext());
    // Assess
    expect(again.map(({ outcome }) => outcome)).toEqual(['unchanged']);
    expect(await repository.find(PRODUCT_ID)).toMatchObject({ available: 2, reserved: 3, version: 2 });
    expect(repository.outbox).toHaveLength(1);
  });

  test('stops at the first short line with OutOfStock, keeping what it held (the saga releases it)', async () => {
    // Prepare
    const third = productId(3);
    const repository = await repositoryWith(
      aProduct({ available: 5 }),
      aProduct({ productId: OTHER_PRODUCT_ID, available: 1 }),
      aProduct({ productId: third, available: 9 }),
    );
    const { reserve } = useCases(repository);
    // Act
    const outcome = reserve(
      order([
        { productId: PRODUCT_ID, quantity: 2 },
        { productId: OTHER_PRODUCT_ID, quantity: 2 },
        { productId: third, quantity: 1 },
      ]),
      fixedContext(),
    );
    // Assess
    await expect(outcome).rejects.toThrow(OutOfStockError);
    await expect(outcome).rejects.toMatchObject({ name: 'OutOfStock', productId: OTHER_PRODUCT_ID });
    expect(await repository.find(PRODUCT_ID)).toMatchObject({ available: 3, reserved: 2 });
    expect(await repository.find(OTHER_PRODUCT_ID)).toMatchObject({ available: 1, reserved: 0, version: 1 });
    expect(await repository.find(third)).toMatchObject({ available: 9, reserved: 0, version: 1 });
    expect(repository.outbox.map((event) => [event.type, event.aggregateId])).toEqual([
      ['StockReserved', PRODUCT_ID],
    ]);
  });

  test('answers OutOfStock for a product that does not exist', async () => {
    const { reserve } = useCases(await repositoryWith());
    await expect(
      reserve(order([{ productId: PRODUCT_ID, quantity: 1 }]), fixedContext()),
    ).rejects.toMatchObject({
      name: 'OutOfStock',
      reason: 'unknown-product',
    });
  });
});

describe('release stock', () => {
  test('after a short reserve, releases what was held and marks the rest released', async () => {
    // Prepare
    const repository = await repositoryWith(
      aProduct({ available: 5 }),
      aProduct({ productId: OTHER_PRODUCT_ID, available: 1 }),
    );
    const { reserve, release } = useCases(repository);
    const lines = order([
      { productId: PRODUCT_ID, quantity: 2 },
      { productId: OTHER_PRODUCT_ID, quantity: 2 },
    ]);
    await expect(reserve(lines, fixedContext())).rejects.toThrow(OutOfStockError);
    // Act
    const outcomes = await release(lines, fixedContext());
    // Assess
    expect(
      outcomes.map(({ outcome, reservation }) => [outcome, reservation?.status, reservation?.quantity]),
    ).toEqual([
      ['moved', 'RELEASED', 2],
      ['tombstone', 'RELEASED', 0],
    ]);
    expect(await repository.find(PRODUCT_ID)).toMatchObject({ available: 5, reserved: 0, version: 3 });
    expect(await repository.find(OTHER_PRODUCT_ID)).toMatchObject({ available: 1, reserved: 0, version: 1 });
    expect(repository.outbox.map((event) => [event.type, event.version])).toEqual([
      ['StockReserved', 2],
      ['StockReleased', 3],
    ]);
    expect(repository.outbox[1]?.data).toEqual({
      orderId: ORDER_ID,
      productId: PRODUCT_ID,
      quantity: 2,
      available: 5,
      reserved: 0,
      sold: 0,
      releasedFrom: 'RESERVED',
    });
  });

  test('is idempotent, and a late reserve of the released order holds nothing', async () => {
    // Prepare
    const repository = await repositoryWith(aProduct({ available: 5 }));
    const { reserve, release } = useCases(repository);
    const lines = order([{ productId: PRODUCT_ID, quantity: 2 }]);
    await release(lines, fixedContext());
    // Act
    const again = await release(lines, fixedContext());
    const late = reserve(lines, fixedContext());
    // Assess
    expect(again.map(({ outcome }) => outcome)).toEqual(['unchanged']);
    await expect(late).rejects.toMatchObject({ name: 'OutOfStock', reason: 'released' });
    expect(await repository.find(PRODUCT_ID)).toEqual(aProduct({ available: 5 }));
    expect(repository.outbox).toEqual([]);
  });

  test('undoes a sale: committed units go back to available', async () => {
    // Prepare
    const repository = await repositoryWith(aProduct({ available: 5 }));
    const { reserve, commit, release } = useCases(repository);
    const lines = order([{ productId: PRODUCT_ID, quantity: 2 }]);
    await reserve(lines, fixedContext());
    await commit(lines, fixedContext());
    // Act
    await release(lines, fixedContext());
    // Assess
    expect(await repository.find(PRODUCT_ID)).toMatchObject({
      available: 5,
      reserved: 0,
      sold: 0,
      version: 4,
    });
    expect(repository.outbox.at(-1)).toMatchObject({
      type: 'StockReleased',
      data: { releasedFrom: 'COMMITTED' },
    });
  });

  test('skips a product that does not exist, writing nothing for it', async () => {
    // Prepare
    const repository = await repositoryWith(aProduct({ available: 5 }));
    const { release } = useCases(repository);
    // Act
    const outcomes = await release(order([{ productId: OTHER_PRODUCT_ID, quantity: 1 }]), fixedContext());
    // Assess
    expect(outcomes).toEqual([
      { productId: OTHER_PRODUCT_ID, outcome: 'unknown-product', reservation: undefined },
    ]);
    expect(repository.reservationsOf(OTHER_PRODUCT_ID)).toEqual([]);
  });

  test('a reserve whose line is released between its read and its write holds nothing', async () => {
    // Prepare: the release (the saga compensating) lands while the reserve is under way.
    const inner = await repositoryWith(aProduct({ available: 5 }));
    const lines = order([{ productId: PRODUCT_ID, quantity: 2 }]);
    const repository = interleaved(inner, async () => {
      await useCases(inner).release(lines, fixedContext());
    });
    // Act
    const outcome = useCases(repository).reserve(lines, fixedContext());
    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'OutOfStock', reason: 'released' });
    expect(await inner.find(PRODUCT_ID)).toEqual(aProduct({ available: 5 }));
    expect(inner.reservationsOf(PRODUCT_ID)).toEqual([
      { orderId: ORDER_ID, productId: PRODUCT_ID, quantity: 0, status: 'RELEASED' },
    ]);
    expect(inner.outbox).toEqual([]);
  });

  test('a release whose line is reserved between its read and its write releases it', async () => {
    // Prepare: the tombstone's write finds the reservation made meanwhile and decides again.
    const inner = await repositoryWith(aProduct({ available: 5 }));
    const lines = order([{ productId: PRODUCT_ID, quantity: 2 }]);
    const repository = interleaved(inner, async () => {
      await useCases(inner).reserve(lines, fixedContext());
    });
    // Act
    const outcomes = await useCases(repository).release(lines, fixedContext());
    // Assess
    expect(outcomes.map(({ outcome }) => outcome)).toEqual(['moved']);
    expect(await inner.find(PRODUCT_ID)).toMatchObject({ available: 5, reserved: 0, version: 3 });
  });
});

describe('commit stock', () => {
  test('sells the reserved units, once', async () => {
    // Prepare
    const repository = await repositoryWith(aProduct({ available: 5 }));
    const { reserve, commit } = useCases(repository);
    const lines = order([{ productId: PRODUCT_ID, quantity: 2 }]);
    await reserve(lines, fixedContext());
    // Act
    const first = await commit(lines, fixedContext());
    const again = await commit(lines, fixedContext());
    // Assess
    expect(first.map(({ outcome, reservation }) => [outcome, reservation?.status])).toEqual([
      ['moved', 'COMMITTED'],
    ]);
    expect(again.map(({ outcome }) => outcome)).toEqual(['unchanged']);
    expect(await repository.find(PRODUCT_ID)).toMatchObject({
      available: 3,
      reserved: 0,
      sold: 2,
      version: 3,
    });
    expect(repository.outbox.map((event) => event.type)).toEqual(['StockReserved', 'StockCommitted']);
  });

  test.each([
    ['never reserved', async () => undefined],
    ['released', async (release: () => Promise<unknown>) => release()],
  ])('answers ReservationNotFound for a line %s, without retrying', async (_, before) => {
    // Prepare
    const repository = await repositoryWith(aProduct({ available: 5 }));
    const { release } = useCases(repository);
    const lines = order([{ productId: PRODUCT_ID, quantity: 2 }]);
    await before(() => release(lines, fixedContext()));
    let loads = 0;
    const counting: StockReservationRepository = {
      load: (...args) => {
        loads += 1;
        return repository.load(...args);
      },
      save: (write) => repository.save(write),
    };
    // Act
    const outcome = useCases(counting).commit(lines, fixedContext());
    // Assess
    await expect(outcome).rejects.toThrow(ReservationNotFoundError);
    await expect(outcome).rejects.toMatchObject({ name: 'ReservationNotFound' });
    expect(loads).toBe(1);
    expect(await repository.find(PRODUCT_ID)).toMatchObject({ available: 5, sold: 0 });
  });

  test('answers ReservationNotFound for a product that does not exist', async () => {
    const { commit } = useCases(await repositoryWith());
    await expect(commit(order([{ productId: PRODUCT_ID, quantity: 1 }]), fixedContext())).rejects.toThrow(
      ReservationNotFoundError,
    );
  });
});

describe('reservations under concurrency', () => {
  test('100 orders reserving 1 of 60 available at once: exactly 60 hold one, 40 are OutOfStock', async () => {
    // Prepare
    const repository = await repositoryWith(aProduct({ available: 60 }));
    const { reserve } = useCases(repository);
    const orders = Array.from({ length: 100 }, (_, index) => orderId(index + 1));
    // Act
    const results = await Promise.allSettled(
      orders.map((id) => reserve(order([{ productId: PRODUCT_ID, quantity: 1 }], id), fixedContext())),
    );
    // Assess
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    expect(fulfilled).toHaveLength(60);
    expect(rejected).toHaveLength(40);
    expect(
      rejected.every((reason) => reason instanceof OutOfStockError && reason.name === 'OutOfStock'),
    ).toBe(true);
    const product = (await repository.find(PRODUCT_ID)) as Product;
    expect(product).toMatchObject({ available: 0, reserved: 60, sold: 0, version: 61 });
    expect(totalStock(product)).toBe(60);
    expect(repository.reservationsOf(PRODUCT_ID)).toHaveLength(60);
    expect(repository.outbox.map((event) => event.version)).toEqual(
      Array.from({ length: 60 }, (_, index) => index + 2),
    );
  });

  test('the same order reserved by two invocations at once holds its units once', async () => {
    // Prepare
    const repository = await repositoryWith(aProduct({ available: 5 }));
    const { reserve } = useCases(repository);
    const lines = order([{ productId: PRODUCT_ID, quantity: 2 }]);
    // Act
    const [first, second] = await Promise.all([
      reserve(lines, fixedContext()),
      reserve(lines, fixedContext()),
    ]);
    // Assess
    expect([first?.[0]?.outcome, second?.[0]?.outcome].sort()).toEqual(['moved', 'unchanged']);
    expect(await repository.find(PRODUCT_ID)).toMatchObject({ available: 3, reserved: 2, version: 2 });
    expect(repository.outbox).toHaveLength(1);
  });

  test('reserves, commits and releases of many orders racing on two products keep the invariant', async () => {
    // Prepare
    const repository = await repositoryWith(
      aProduct({ available: 30 }),
      aProduct({ productId: OTHER_PRODUCT_ID, available: 30 }),
    );
    const { reserve, commit, release } = useCases(repository);
    const both = (id: string) =>
      order(
        [
          { productId: PRODUCT_ID, quantity: 2 },
          { productId: OTHER_PRODUCT_ID, quantity: 1 },
        ],
        id,
      );
    const orders = Array.from({ length: 40 }, (_, index) => orderId(index + 100));
    // Act: each order reserves, then half commit (a third of those are released again), the rest release.
    await Promise.all(
      orders.map(async (id, index) => {
        try {
          await reserve(both(id), fixedContext());
          if (index % 2 === 0) {
            await commit(both(id), fixedContext());
            if (index % 3 === 0) await release(both(id), fixedContext());
          } else {
            await release(both(id), fixedContext());
          }
        } catch (error) {
          if (!(error instanceof OutOfStockError)) throw error;
          await release(both(id), fixedContext());
        }
      }),
    );
    // Assess
    for (const id of [PRODUCT_ID, OTHER_PRODUCT_ID]) {
      const product = (await repository.find(id)) as Product;
      expect(totalStock(product)).toBe(30);
      expect(product.reserved).toBe(0);
      const sold = repository
        .reservationsOf(id)
        .filter((reservation) => reservation.status === 'COMMITTED')
        .reduce((total, reservation) => total + reservation.quantity, 0);
      expect(product.sold).toBe(sold);
    }
  });
});
