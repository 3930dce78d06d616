import { loadConfig } from '../../../functions/orders/config';

const command = { EVENT_STORE_TABLE: 'events', IDEMPOTENCY_TABLE: 'keys' };
const sagaStyle = { SAGA_STYLE_PARAMETER: '/shop/saga-style', CARD_VAULT_FUNCTION: 'card-vault' };
const inventory = { INVENTORY_NAMESPACE: 'shop', INVENTORY_SERVICE: 'inventory' };

describe('orders configuration', () => {
  it('parses a function’s variables once into a frozen object, with defaults', () => {
    // Act
    const config = loadConfig('createOrder', {
      ...command,
      ...sagaStyle,
      ...inventory,
      UNRELATED: 'x',
    });

    // Assess
    expect(config).toEqual({
      APPROVAL_THRESHOLD_CENTS: 100_000,
      EVENT_STORE_TABLE: 'events',
      IDEMPOTENCY_TABLE: 'keys',
      SNAPSHOT_EVERY: 25,
      INVENTORY_NAMESPACE: 'shop',
      INVENTORY_SERVICE: 'inventory',
      DISCOVERY_CACHE_TTL_MS: 10_000,
      INVENTORY_TIMEOUT_MS: 3_000,
      INVENTORY_MAX_ATTEMPTS: 5,
      PRICE_CACHE_TTL_MS: 60_000,
      SAGA_STYLE_PARAMETER: '/shop/saga-style',
      SAGA_STYLE_MAX_AGE_SECONDS: 5,
      CARD_VAULT_FUNCTION: 'card-vault',
      CARD_VAULT_TIMEOUT_MS: 5_000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads numbers from their strings', () => {
    expect(loadConfig('command', { ...command, SNAPSHOT_EVERY: '5' }).SNAPSHOT_EVERY).toBe(5);
  });

  it.each([
    ['30000', 30_000],
    ['0', 0],
  ])('reads a price cache TTL of %p ms (0: no cache)', (value, ttlMs) => {
    const config = loadConfig('createOrder', {
      ...command,
      ...sagaStyle,
      ...inventory,
      PRICE_CACHE_TTL_MS: value,
    });
    expect(config.PRICE_CACHE_TTL_MS).toBe(ttlMs);
  });

  it('fails naming every missing variable', () => {
    expect(() => loadConfig('createOrder', {})).toThrow(
      new Error(
        'Orders configuration: EVENT_STORE_TABLE is not set; IDEMPOTENCY_TABLE is not set; INVENTORY_NAMESPACE is not set; INVENTORY_SERVICE is not set; SAGA_STYLE_PARAMETER is not set; CARD_VAULT_FUNCTION is not set.',
      ),
    );
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['a discovery cache of 0 ms', { ...inventory, DISCOVERY_CACHE_TTL_MS: '0' }, /DISCOVERY_CACHE_TTL_MS/],
    ['a snapshot interval of 0', { ...inventory, SNAPSHOT_EVERY: '0' }, /SNAPSHOT_EVERY/],
    [
      'a timeout that is not a number',
      { ...inventory, INVENTORY_TIMEOUT_MS: 'soon' },
      /INVENTORY_TIMEOUT_MS/,
    ],
    ['a negative price cache TTL', { ...inventory, PRICE_CACHE_TTL_MS: '-1' }, /PRICE_CACHE_TTL_MS/],
    [
      'a price cache TTL that is not a whole number',
      { ...inventory, PRICE_CACHE_TTL_MS: 'a minute' },
      /PRICE_CACHE_TTL_MS must be an integer of 0 or more/,
    ],
  ])('fails on %s, naming the variable', (_label, env, message) => {
    expect(() => loadConfig('createOrder', { ...command, ...sagaStyle, ...env })).toThrow(message);
  });

  it('asks each function only for its own variables', () => {
    expect(loadConfig('query', { READ_MODEL_TABLE: 'views' })).toEqual({ READ_MODEL_TABLE: 'views' });
    expect(() => loadConfig('query', { EVENT_STORE_TABLE: 'events' })).toThrow(/READ_MODEL_TABLE is not set/);
  });

  it('reads the state machine ARN of the saga’s functions, refusing anything else', () => {
    const arn = 'arn:aws:states:us-east-1:123456789012:stateMachine:PlaceOrder';
    expect(loadConfig('startSaga', { SAGA_STATE_MACHINE_ARN: arn })).toEqual({ SAGA_STATE_MACHINE_ARN: arn });
    expect(loadConfig('getOrder', { READ_MODEL_TABLE: 'views', SAGA_STATE_MACHINE_ARN: arn })).toEqual({
      READ_MODEL_TABLE: 'views',
      SAGA_STATE_MACHINE_ARN: arn,
    });
    expect(() => loadConfig('getOrder', { READ_MODEL_TABLE: 'views' })).toThrow(
      /SAGA_STATE_MACHINE_ARN is not set/,
    );
    expect(() =>
      loadConfig('startSaga', {
        SAGA_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:execution:PlaceOrder:ord_1',
      }),
    ).toThrow(/SAGA_STATE_MACHINE_ARN must be the ARN of a state machine/);
  });

  it('gives the saga steps the event store without an idempotency table', () => {
    expect(loadConfig('sagaStep', { EVENT_STORE_TABLE: 'events' })).toEqual({
      EVENT_STORE_TABLE: 'events',
      SNAPSHOT_EVERY: 25,
    });
  });
});
