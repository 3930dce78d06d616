import { loadProductCommandConfig, loadProductsConfig } from '../../../functions/inventory/config';

describe('inventory config', () => {
  test('reads each function its own variables into a frozen object', () => {
    // Act
    const products = loadProductsConfig({ PRODUCTS_TABLE: 'products' });
    const create = loadProductCommandConfig({ PRODUCTS_TABLE: 'products', IDEMPOTENCY_TABLE: 'keys' });
    // Assess
    expect(products).toEqual({ productsTable: 'products' });
    expect(create).toEqual({ productsTable: 'products', idempotencyTable: 'keys' });
    expect(Object.isFrozen(create)).toBe(true);
  });

  test('fails fast naming every missing or empty variable', () => {
    expect(() => loadProductCommandConfig({ PRODUCTS_TABLE: '' })).toThrow(
      'Inventory configuration: PRODUCTS_TABLE is empty; IDEMPOTENCY_TABLE is not set.',
    );
  });
});
