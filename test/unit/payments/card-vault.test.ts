import { InMemoryCardVault } from '../../../functions/payments/adapters/in-memory-card-vault';
import { makeHandler as makeCardVaultHandler } from '../../../functions/payments/handlers/card-vault';
import { ORDER_ID } from './fakes';

function setup() {
  const cardVault = new InMemoryCardVault();
  const lines: { level: string; message: string; attributes: unknown }[] = [];
  const logger = {
    info: (message: string, ...attributes: unknown[]) =>
      void lines.push({ level: 'info', message, attributes }),
    warn: (message: string, ...attributes: unknown[]) =>
      void lines.push({ level: 'warn', message, attributes }),
    appendKeys: () => undefined,
    removeKeys: () => undefined,
    resetKeys: () => undefined,
  };
  return { cardVault, lines, handler: makeCardVaultHandler({ cardVault, logger }) };
}

describe('the card vault API', () => {
  test('keeps the token under the order, answers `kept`, and logs the order, never the token', async () => {
    // Prepare
    const { cardVault, lines, handler } = setup();
    // Act
    const answer = await handler({ operation: 'keep', orderId: ORDER_ID, token: 'tok_visa' });
    // Assess
    expect(answer).toEqual({ outcome: 'kept' });
    expect(cardVault.tokens.get(ORDER_ID)).toBe('tok_visa');
    expect(JSON.stringify(lines)).not.toContain('tok_visa');
  });

  test.each([
    ['no order id', { operation: 'keep', token: 'tok_visa' }, 'orderId is required'],
    ['not an order id', { operation: 'keep', orderId: 'usr_1', token: 'tok_visa' }, 'orderId'],
    [
      'a card number',
      { operation: 'keep', orderId: ORDER_ID, token: '4242424242424242' },
      'token must be a card token',
    ],
    ['another operation', { operation: 'charge', orderId: ORDER_ID, token: 'tok_visa' }, 'operation must be'],
    ['extra fields', { operation: 'keep', orderId: ORDER_ID, token: 'tok_visa', cvc: '123' }, 'cvc'],
    ['not an object', 'tok_visa', 'request'],
  ])('refuses %s: `rejected`, nothing kept, the value never echoed', async (_label, request, message) => {
    // Prepare
    const { cardVault, lines, handler } = setup();
    // Act
    const answer = await handler(request);
    // Assess
    expect(answer).toMatchObject({ outcome: 'rejected', code: 'invalid_request' });
    expect(answer.outcome === 'rejected' && answer.message).toContain(message);
    expect(cardVault.tokens.size).toBe(0);
    expect(JSON.stringify([answer, lines])).not.toContain('4242424242424242');
  });
});
