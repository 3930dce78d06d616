import { ConcurrencyError } from '../../../shared/errors/app-error';
import { InMemoryProductRepository } from '../../../functions/inventory/adapters/in-memory-product-repository';
import { makeCreateProduct } from '../../../functions/inventory/application/create-product';
import { makeGetProduct } from '../../../functions/inventory/application/get-product';
import { makeRestockProduct } from '../../../functions/inventory/application/restock-product';
import type { InventoryEvent } from '../../../functions/inventory/contracts';
import { ProductNotFoundError } from '../../../functions/inventory/domain/errors';
import type { Product } from '../../../functions/inventory/domain/product';
import {
  StaleProductError,
  type ProductRepository,
} from '../../../functions/inventory/ports/product-repository';
import { aProduct, FIXED_NOW, fixedContext, nextTick, PRODUCT_ID } from './fixtures';

/** A retry policy for tests: no real waiting, enough attempts for every racer to get through. */
const instantRetry = {
  maxAttempts: 100,
  firstPauseMs: 0,
  maxElapsedMs: 60_000,
  answerReserveMs: 0,
  sleep: nextTick,
};

async function repositoryWith(product: Product): Promise<InMemoryProductRepository> {
  const repository = new InMemoryProductRepository();
  await repository.create(product, {
    eventId: 'evt-0',
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
  repository.outbox.length = 0;
  return repository;
}

/** Runs `interfere` once, between the first read and the first write: a concurrent writer. */
class InterleavedRepository implements ProductRepository {
  private interfered = false;
  constructor(
    private readonly inner: ProductRepository,
    private readonly interfere: () => Promise<void>,
  ) {}
  find(productId: string) {
    return this.inner.find(productId);
  }
  create(...args: Parameters<ProductRepository['create']>) {
    return this.inner.create(...args);
  }
  async update(product: Product, expectedVersion: number, event: InventoryEvent) {
    if (!this.interfered) {
      this.interfered = true;
      await this.interfere();
    }
    return this.inner.update(product, expectedVersion, event);
  }
}

describe('create product', () => {
  test('stores the product at version 1 with its ProductCreated in the envelope', async () => {
    // Prepare
    const repository = new InMemoryProductRepository();
    const createProduct = makeCreateProduct({ repository, newProductId: () => PRODUCT_ID });
    // Act
    const product = await createProduct(
      { name: 'Espresso cup', priceCents: 1_250, currency: 'EUR', stock: 3 },
      fixedContext({ traceHeader: 'Root=1-abc;Sampled=1' }),
    );
    // Assess
    expect(product).toMatchObject({ productId: PRODUCT_ID, available: 3, currency: 'EUR', version: 1 });
    expect(await repository.find(PRODUCT_ID)).toEqual(product);
    expect(repository.outbox).toEqual([
      {
        eventId: 'evt-1',
        type: 'ProductCreated',
        aggregateType: 'Product',
        aggregateId: PRODUCT_ID,
        version: 1,
        occurredAt: FIXED_NOW,
        correlationId: 'corr-1',
        causationId: 'req-1',
        traceHeader: 'Root=1-abc;Sampled=1',
        schemaVersion: 1,
        data: {
          productId: PRODUCT_ID,
          name: 'Espresso cup',
          priceCents: 1_250,
          currency: 'EUR',
          available: 3,
        },
      },
    ]);
  });
});

describe('get product', () => {
  test('answers the stored product, or ProductNotFoundError', async () => {
    // Prepare
    const repository = await repositoryWith(aProduct());
    const getProduct = makeGetProduct({ repository });
    // Act & Assess
    await expect(getProduct(PRODUCT_ID)).resolves.toEqual(aProduct());
    await expect(getProduct('prd_01JD0000000000000000000009')).rejects.toThrow(ProductNotFoundError);
  });
});

describe('restock product', () => {
  test('adds the units at the next version and records StockAdded with it', async () => {
    // Prepare
    const repository = await repositoryWith(aProduct({ available: 10 }));
    const restock = makeRestockProduct({ repository, retry: instantRetry });
    // Act
    const product = await restock(PRODUCT_ID, 5, fixedContext());
    // Assess
    expect(product).toEqual(aProduct({ available: 15, version: 2 }));
    expect(repository.outbox).toEqual([
      expect.objectContaining({
        type: 'StockAdded',
        aggregateId: PRODUCT_ID,
        version: 2,
        data: { productId: PRODUCT_ID, quantity: 5, available: 15 },
      }),
    ]);
  });

  test('a restock beaten by a concurrent writer decides again on the fresh state', async () => {
    // Prepare
    const inner = await repositoryWith(aProduct({ available: 10 }));
    const competitor = makeRestockProduct({ repository: inner, retry: instantRetry });
    const repository = new InterleavedRepository(inner, async () => {
      await competitor(PRODUCT_ID, 3, fixedContext());
    });
    const restock = makeRestockProduct({ repository, retry: instantRetry });
    // Act
    const product = await restock(PRODUCT_ID, 2, fixedContext());
    // Assess
    expect(product).toMatchObject({ available: 15, version: 3 });
    expect(await inner.find(PRODUCT_ID)).toMatchObject({ available: 15, version: 3 });
    expect(inner.outbox.map((event) => [event.version, event.data])).toEqual([
      [2, { productId: PRODUCT_ID, quantity: 3, available: 13 }],
      [3, { productId: PRODUCT_ID, quantity: 2, available: 15 }],
    ]);
  });

  test('a restock beaten by a concurrent writer decides again on the state its failed write returned, without reading again', async () => {
    // Prepare
    const inner = await repositoryWith(aProduct({ available: 10 }));
    const competitor = makeRestockProduct({ repository: inner, retry: instantRetry });
    let finds = 0;
    let beaten = false;
    const repository: ProductRepository = {
      find: (productId) => {
        finds += 1;
        return inner.find(productId);
      },
      create: (...args) => inner.create(...args),
      update: async (...args) => {
        if (!beaten) {
          beaten = true;
          await competitor(PRODUCT_ID, 3, fixedContext());
        }
        return inner.update(...args);
      },
    };
    const restock = makeRestockProduct({ repository, retry: instantRetry });
    // Act
    const product = await restock(PRODUCT_ID, 2, fixedContext());
    // Assess
    expect(product).toMatchObject({ available: 15, version: 3 });
    expect(finds).toBe(1);
    expect(inner.outbox.map((event) => event.version)).toEqual([2, 3]);
  });

  test('a conflict that returns no state (the product is gone) is decided on a fresh read', async () => {
    // Prepare
    const inner = await repositoryWith(aProduct({ available: 10 }));
    let finds = 0;
    const repository: ProductRepository = {
      find: (productId) => {
        finds += 1;
        return inner.find(productId);
      },
      create: (...args) => inner.create(...args),
      update: () => Promise.reject(new StaleProductError('gone meanwhile', undefined)),
    };
    const restock = makeRestockProduct({ repository, retry: { ...instantRetry, maxAttempts: 3 } });
    // Act
    const outcome = restock(PRODUCT_ID, 2, fixedContext());
    // Assess
    await expect(outcome).rejects.toThrow(ConcurrencyError);
    expect(finds).toBe(3);
  });

  test('200 restocks of 1 started at once end at exactly +200, each with its own event and version', async () => {
    // Prepare: all 200 read version 1, so each round of writes has one winner; enough attempts for all.
    const repository = await repositoryWith(aProduct({ available: 7 }));
    const restock = makeRestockProduct({ repository, retry: { ...instantRetry, maxAttempts: 250 } });
    const versions = Array.from({ length: 200 }, (_, index) => index + 2);
    // Act
    const results = await Promise.all(versions.map(() => restock(PRODUCT_ID, 1, fixedContext())));
    // Assess
    expect(await repository.find(PRODUCT_ID)).toMatchObject({ available: 207, version: 201 });
    expect(results.map((product) => product.version).sort((a, b) => a - b)).toEqual(versions);
    expect(repository.outbox.map((event) => event.version)).toEqual(versions);
  });

  test('answers ConcurrencyError once the attempts are spent, having written nothing', async () => {
    // Prepare: every write is beaten by another writer.
    const inner = await repositoryWith(aProduct({ available: 10 }));
    const competitor = makeRestockProduct({ repository: inner, retry: instantRetry });
    const alwaysBeaten: ProductRepository = {
      find: (productId) => inner.find(productId),
      create: (...args) => inner.create(...args),
      update: async (...args) => {
        await competitor(PRODUCT_ID, 1, fixedContext());
        return inner.update(...args);
      },
    };
    const restock = makeRestockProduct({
      repository: alwaysBeaten,
      retry: { ...instantRetry, maxAttempts: 4 },
    });
    // Act
    const outcome = restock(PRODUCT_ID, 100, fixedContext());
    // Assess
    await expect(outcome).rejects.toThrow(ConcurrencyError);
    expect(await inner.find(PRODUCT_ID)).toMatchObject({ available: 14, version: 5 });
    expect(inner.outbox.every((event) => event.type === 'StockAdded' && event.data.quantity === 1)).toBe(
      true,
    );
  });

  test('answers ProductNotFoundError for an unknown product, without retrying', async () => {
    // Prepare
    let finds = 0;
    const repository = new InMemoryProductRepository();
    const counting: ProductRepository = {
      find: (productId) => {
        finds += 1;
        return repository.find(productId);
      },
      create: (...args) => repository.create(...args),
      update: (...args) => repository.update(...args),
    };
    const restock = makeRestockProduct({ repository: counting, retry: instantRetry });
    // Act & Assess
    await expect(restock(PRODUCT_ID, 1, fixedContext())).rejects.toThrow(ProductNotFoundError);
    expect(finds).toBe(1);
  });
});
