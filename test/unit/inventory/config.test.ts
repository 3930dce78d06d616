import {
  loadProductCommandConfig,
  loadOutboxRelayConfig,
  loadProductsConfig,
} from '../../../functions/inventory/config';

describe('inventory config', () => {
  test('reads each function its own variables into a frozen object', () => {
    // Act
    const products = loadProductsConfig({ PRODUCTS_TABLE: 'products' });
    const create = loadProductCommandConfig({ PRODUCTS_TABLE: 'products', IDEMPOTENCY_TABLE: 'keys' });
    const relay = loadOutboxRelayConfig({ EVENT_BUS_NAME: 'shop' });
    // Assess
    expect(products).toEqual({ productsTable: 'products' });
    expect(create).toEqual({ productsTable: 'products', idempotencyTable: 'keys' });
    expect(relay).toEqual({ eventBusName: 'shop' });
    expect(Object.isFrozen(create)).toBe(true);
  });

  test('fails fast naming every missing or empty variable', () => {
    expect(() => loadProductCommandConfig({ PRODUCTS_TABLE: '' })).toThrow(
      'Inventory configuration: PRODUCTS_TABLE is empty; IDEMPOTENCY_TABLE is not set.',
    );
    expect(() => loadOutboxRelayConfig({})).toThrow(/EVENT_BUS_NAME is not set/);
  });
});
