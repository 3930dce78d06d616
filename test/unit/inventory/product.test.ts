import { InvalidProductError, StockLimitExceededError } from '../../../functions/inventory/domain/errors';
import { addStock, createProduct, MAX_STOCK } from '../../../functions/inventory/domain/product';
import { aProduct, PRODUCT_ID } from './fixtures';

const newProduct = {
  productId: PRODUCT_ID,
  name: 'Espresso cup',
  priceCents: 1_250,
  currency: 'USD',
  stock: 10,
};

describe('createProduct', () => {
  test('opens the product at version 1 with its stock available, announced by ProductCreated', () => {
    // Act
    const { product, event } = createProduct({ ...newProduct, name: '  Espresso cup ' });
    // Assess
    expect(product).toEqual({
      productId: PRODUCT_ID,
      name: 'Espresso cup',
      priceCents: 1_250,
      currency: 'USD',
      available: 10,
      reserved: 0,
      sold: 0,
      version: 1,
    });
    expect(event).toEqual({
      type: 'ProductCreated',
      data: {
        productId: PRODUCT_ID,
        name: 'Espresso cup',
        priceCents: 1_250,
        currency: 'USD',
        available: 10,
      },
    });
  });

  test('accepts an empty stock', () => {
    expect(createProduct({ ...newProduct, stock: 0 }).product.available).toBe(0);
  });

  test.each([
    ['name', { name: '   ' }],
    ['name', { name: 'x'.repeat(201) }],
    ['priceCents', { priceCents: 0 }],
    ['priceCents', { priceCents: -1 }],
    ['priceCents', { priceCents: 12.5 }],
    ['currency', { currency: 'usd' }],
    ['currency', { currency: 'EURO' }],
    ['stock', { stock: -1 }],
    ['stock', { stock: 0.5 }],
    ['stock', { stock: MAX_STOCK + 1 }],
  ])('refuses an invalid %s (%p)', (field, override) => {
    // Act
    const act = () => createProduct({ ...newProduct, ...override });
    // Assess
    expect(act).toThrow(InvalidProductError);
    expect(act).toThrow(expect.objectContaining({ details: [expect.objectContaining({ path: field })] }));
  });
});

describe('addStock', () => {
  test('adds the units to what is available and moves to the next version, announced by StockAdded', () => {
    // Prepare
    const before = aProduct({ available: 10, reserved: 2, version: 4 });
    // Act
    const { product, event } = addStock(before, 5);
    // Assess
    expect(product).toEqual({ ...before, available: 15, version: 5 });
    expect(event).toEqual({
      type: 'StockAdded',
      data: { productId: PRODUCT_ID, quantity: 5, available: 15 },
    });
    expect(before.available).toBe(10);
  });

  test.each([0, -3, 1.5])('refuses a quantity of %p', (quantity) => {
    expect(() => addStock(aProduct(), quantity)).toThrow(InvalidProductError);
  });

  test('refuses to take the stock on hand past MAX_STOCK', () => {
    // Prepare
    const nearlyFull = aProduct({ available: MAX_STOCK - 3, reserved: 2 });
    // Act & Assess
    expect(() => addStock(nearlyFull, 2)).toThrow(StockLimitExceededError);
    expect(addStock(nearlyFull, 1).product.available).toBe(MAX_STOCK - 2);
  });
});
