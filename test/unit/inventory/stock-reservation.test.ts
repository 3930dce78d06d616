import { ConflictError, NotFoundError } from '../../../shared/errors/app-error';
import {
  InvalidProductError,
  OutOfStockError,
  ReservationNotFoundError,
} from '../../../functions/inventory/domain/errors';
import { addStock, createProduct, type Product } from '../../../functions/inventory/domain/product';
import {
  commitReservation,
  releaseReservation,
  reserveStock,
  totalStock,
  type Reservation,
  type ReservationDecision,
} from '../../../functions/inventory/domain/stock-reservation';
import { aProduct, ORDER_ID, orderId, PRODUCT_ID, productId, seededRandom } from './fixtures';

const reservation = (overrides: Partial<Reservation> = {}): Reservation => ({
  orderId: ORDER_ID,
  productId: PRODUCT_ID,
  quantity: 3,
  status: 'RESERVED',
  ...overrides,
});

describe('reserveStock', () => {
  test('moves the units from available to reserved at the next version, announced by StockReserved', () => {
    // Prepare
    const before = aProduct({ available: 10, reserved: 1, sold: 2, version: 4 });
    // Act
    const decision = reserveStock(before, undefined, ORDER_ID, 3);
    // Assess
    expect(decision).toEqual({
      kind: 'moved',
      product: { ...before, available: 7, reserved: 4, version: 5 },
      reservation: { orderId: ORDER_ID, productId: PRODUCT_ID, quantity: 3, status: 'RESERVED' },
      event: {
        type: 'StockReserved',
        data: { orderId: ORDER_ID, productId: PRODUCT_ID, quantity: 3, available: 7, reserved: 4, sold: 2 },
      },
    });
    expect(before.available).toBe(10);
  });

  test('may take every unit available, and not one more: OutOfStock', () => {
    // Prepare
    const product = aProduct({ available: 3 });
    // Act
    const all = reserveStock(product, undefined, ORDER_ID, 3);
    const tooMany = () => reserveStock(product, undefined, ORDER_ID, 4);
    // Assess
    expect(all.kind === 'moved' && all.product.available).toBe(0);
    expect(tooMany).toThrow(OutOfStockError);
    expect(tooMany).toThrow('has 3 units available, fewer than the 4 asked for');
  });

  test('OutOfStock is a conflict named exactly OutOfStock, as the saga matches it', () => {
    // Act
    const error = catchError(() => reserveStock(aProduct({ available: 0 }), undefined, ORDER_ID, 1));
    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ name: 'OutOfStock', code: 'OUT_OF_STOCK', productId: PRODUCT_ID });
  });

  test.each(['RESERVED', 'COMMITTED'] as const)('leaves a %s reservation as it is (a retry)', (status) => {
    // Prepare
    const held = reservation({ status });
    // Act & Assess
    expect(reserveStock(aProduct({ available: 0 }), held, ORDER_ID, 3)).toEqual({
      kind: 'unchanged',
      reservation: held,
    });
  });

  test('holds nothing once the reservation was released: a late reserve is OutOfStock, not a hold', () => {
    // Prepare
    const tombstone = reservation({ quantity: 0, status: 'RELEASED' });
    // Act
    const error = catchError(() => reserveStock(aProduct({ available: 10 }), tombstone, ORDER_ID, 3));
    // Assess
    expect(error).toMatchObject({ name: 'OutOfStock', reason: 'released' });
  });

  test.each([0, -1, 1.5])('refuses a quantity of %p', (quantity) => {
    expect(() => reserveStock(aProduct(), undefined, ORDER_ID, quantity)).toThrow(InvalidProductError);
  });

  test("refuses another order's or product's reservation", () => {
    expect(() => reserveStock(aProduct(), reservation({ orderId: orderId(9) }), ORDER_ID, 1)).toThrow(
      /is not the one of order/,
    );
  });
});

describe('commitReservation', () => {
  test('moves the reserved units to sold at the next version, announced by StockCommitted', () => {
    // Prepare
    const before = aProduct({ available: 5, reserved: 3, sold: 1, version: 7 });
    // Act
    const decision = commitReservation(before, reservation(), ORDER_ID);
    // Assess
    expect(decision).toEqual({
      kind: 'moved',
      product: { ...before, reserved: 0, sold: 4, version: 8 },
      reservation: reservation({ status: 'COMMITTED' }),
      event: {
        type: 'StockCommitted',
        data: { orderId: ORDER_ID, productId: PRODUCT_ID, quantity: 3, available: 5, reserved: 0, sold: 4 },
      },
    });
  });

  test('leaves a committed reservation as it is (a retry)', () => {
    const committed = reservation({ status: 'COMMITTED' });
    expect(commitReservation(aProduct({ sold: 3 }), committed, ORDER_ID)).toEqual({
      kind: 'unchanged',
      reservation: committed,
    });
  });

  test.each([
    ['no reservation', undefined],
    ['a released reservation', reservation({ status: 'RELEASED' })],
    ['a tombstone', reservation({ quantity: 0, status: 'RELEASED' })],
  ])('refuses %s: ReservationNotFound', (_, current) => {
    // Act
    const error = catchError(() => commitReservation(aProduct({ reserved: 3 }), current, ORDER_ID));
    // Assess
    expect(error).toBeInstanceOf(ReservationNotFoundError);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ name: 'ReservationNotFound', code: 'RESERVATION_NOT_FOUND' });
  });
});

describe('releaseReservation', () => {
  test('gives reserved units back to available, announced by StockReleased', () => {
    // Prepare
    const before = aProduct({ available: 5, reserved: 3, sold: 1, version: 2 });
    // Act
    const decision = releaseReservation(before, reservation(), ORDER_ID);
    // Assess
    expect(decision).toEqual({
      kind: 'moved',
      product: { ...before, available: 8, reserved: 0, version: 3 },
      reservation: reservation({ status: 'RELEASED' }),
      event: {
        type: 'StockReleased',
        data: {
          orderId: ORDER_ID,
          productId: PRODUCT_ID,
          quantity: 3,
          available: 8,
          reserved: 0,
          sold: 1,
          releasedFrom: 'RESERVED',
        },
      },
    });
  });

  test('gives sold units back to available when the sale is undone', () => {
    // Prepare
    const before = aProduct({ available: 5, reserved: 0, sold: 4, version: 2 });
    // Act
    const decision = releaseReservation(before, reservation({ status: 'COMMITTED' }), ORDER_ID);
    // Assess
    expect(decision).toMatchObject({
      kind: 'moved',
      product: { available: 8, reserved: 0, sold: 1, version: 3 },
      reservation: { status: 'RELEASED', quantity: 3 },
      event: { type: 'StockReleased', data: { releasedFrom: 'COMMITTED', quantity: 3 } },
    });
  });

  test('marks a reservation never made as released, with no units and no change to the product', () => {
    expect(releaseReservation(aProduct(), undefined, ORDER_ID)).toEqual({
      kind: 'tombstone',
      reservation: { orderId: ORDER_ID, productId: PRODUCT_ID, quantity: 0, status: 'RELEASED' },
    });
  });

  test('leaves a released reservation as it is (a retry)', () => {
    const released = reservation({ status: 'RELEASED' });
    expect(releaseReservation(aProduct(), released, ORDER_ID)).toEqual({
      kind: 'unchanged',
      reservation: released,
    });
  });

  test('refuses to take a count below zero (a product that disagrees with its reservations)', () => {
    expect(() => releaseReservation(aProduct({ reserved: 1 }), reservation(), ORDER_ID)).toThrow(
      /below zero/,
    );
  });
});

describe('the stock invariant over random sequences of moves', () => {
  const PRODUCTS = [productId(1), productId(2), productId(3)];

  /**
   * Applies `steps` random restocks, reserves, commits and releases (a seeded generator, so a failure
   * names a sequence that can be replayed) and checks after every one that for each product
   * opening stock + restocks = available + reserved + sold, that no count is negative, that reserved and
   * sold are the sums of its RESERVED and COMMITTED reservations, and that a move repeated changes nothing.
   */
  function run(seed: number, steps: number) {
    const random = seededRandom(seed);
    const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
    const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

    const products = new Map<string, Product>();
    const added = new Map<string, number>();
    const reservations = new Map<string, Reservation>();
    for (const id of PRODUCTS) {
      const stock = between(0, 15);
      products.set(
        id,
        createProduct({ productId: id, name: id, priceCents: 100, currency: 'USD', stock }).product,
      );
      added.set(id, stock);
    }
    const keyOf = (order: string, product: string) => `${product}|${order}`;
    const tally = { moved: 0, unchanged: 0, tombstone: 0, refused: 0 };

    for (let step = 0; step < steps; step++) {
      const product = pick(PRODUCTS);
      // New orders keep arriving (a released reservation is final), old ones keep being retried.
      const order = orderId(between(1, 4 + Math.floor(step / 8)));
      const current = products.get(product) as Product;
      const held = reservations.get(keyOf(order, product));
      const move = pick(['restock', 'reserve', 'reserve', 'commit', 'release'] as const);
      const where = `seed ${seed}, step ${step}: ${move} of ${product} for ${order}`;

      if (move === 'restock') {
        const quantity = between(1, 5);
        products.set(product, addStock(current, quantity).product);
        added.set(product, (added.get(product) ?? 0) + quantity);
      } else {
        const decide = (state: Product, reservation: Reservation | undefined): ReservationDecision => {
          switch (move) {
            case 'reserve':
              return reserveStock(state, reservation, order, between(1, 6));
            case 'commit':
              return commitReservation(state, reservation, order);
            case 'release':
              return releaseReservation(state, reservation, order);
          }
        };
        let decision: ReservationDecision;
        try {
          decision = decide(current, held);
        } catch (error) {
          if (!(error instanceof OutOfStockError || error instanceof ReservationNotFoundError)) {
            throw new Error(`${where}: ${String(error)}`);
          }
          tally.refused++;
          continue;
        }
        tally[decision.kind]++;
        if (decision.kind === 'moved') {
          expect({ where, version: decision.product.version }).toEqual({
            where,
            version: current.version + 1,
          });
          products.set(product, decision.product);
        }
        if (decision.kind !== 'unchanged') reservations.set(keyOf(order, product), decision.reservation);
        // The same move again, on what it left: nothing to do.
        const again = decide(products.get(product) as Product, reservations.get(keyOf(order, product)));
        expect({ where, again: again.kind }).toEqual({ where, again: 'unchanged' });
      }

      for (const id of PRODUCTS) {
        const state = products.get(id) as Product;
        const mine = [...reservations.values()].filter((reservation) => reservation.productId === id);
        const sum = (status: Reservation['status']) =>
          mine.filter((r) => r.status === status).reduce((total, r) => total + r.quantity, 0);
        expect({ where, id, total: totalStock(state), reserved: state.reserved, sold: state.sold }).toEqual({
          where,
          id,
          total: added.get(id),
          reserved: sum('RESERVED'),
          sold: sum('COMMITTED'),
        });
        expect(Math.min(state.available, state.reserved, state.sold)).toBeGreaterThanOrEqual(0);
      }
    }
    return tally;
  }

  test.each([1, 2, 3, 42, 2026, 31337])('holds after 400 random moves (seed %i)', (seed) => {
    // Act
    const tally = run(seed, 400);
    // Assess: the sequence did exercise every kind of outcome.
    expect(tally.moved).toBeGreaterThan(60);
    expect(tally.unchanged).toBeGreaterThan(0);
    expect(tally.tombstone).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0);
  });
});

function catchError(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
