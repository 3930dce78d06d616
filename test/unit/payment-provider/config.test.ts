import {
  DEFAULT_HANG_MS,
  loadCreateChargeConfig,
  loadLedgerConfig,
  loadListChargesConfig,
} from '../../../functions/payment-provider/config';

describe('payment provider config', () => {
  test('reads each function its own variables into a frozen object', () => {
    // Act
    const ledger = loadLedgerConfig({ LEDGER_TABLE: 'ledger' });
    const charge = loadCreateChargeConfig({ LEDGER_TABLE: 'ledger', HANG_MS: '2500' });
    const list = loadListChargesConfig({ LEDGER_TABLE: 'ledger', LEDGER_ORDER_INDEX: 'byOrderId' });
    // Assess
    expect(ledger).toEqual({ ledgerTable: 'ledger' });
    expect(charge).toEqual({ ledgerTable: 'ledger', hangMs: 2_500 });
    expect(list).toEqual({ ledgerTable: 'ledger', orderIndexName: 'byOrderId' });
    expect(Object.isFrozen(charge)).toBe(true);
  });

  test('HANG_MS defaults to 10 s', () => {
    expect(DEFAULT_HANG_MS).toBe(10_000);
    expect(loadCreateChargeConfig({ LEDGER_TABLE: 'ledger' }).hangMs).toBe(10_000);
  });

  test('fails fast naming every missing or malformed variable', () => {
    expect(() => loadCreateChargeConfig({ LEDGER_TABLE: '', HANG_MS: '1.5s' })).toThrow(
      'Payment provider configuration: LEDGER_TABLE is empty; HANG_MS must be a whole number of milliseconds.',
    );
    expect(() => loadCreateChargeConfig({ LEDGER_TABLE: 'l', HANG_MS: '900001' })).toThrow(
      /HANG_MS must be at most/,
    );
    expect(() => loadListChargesConfig({ LEDGER_TABLE: 'l' })).toThrow(/LEDGER_ORDER_INDEX is not set/);
  });
});
