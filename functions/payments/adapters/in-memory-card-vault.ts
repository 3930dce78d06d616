import type { CardVault } from '../ports/card-vault';

/** The card vault in a Map, for tests; each call yields first, as a network call would. */
export class InMemoryCardVault implements CardVault {
  readonly tokens = new Map<string, string>();

  async keep(orderId: string, token: string): Promise<void> {
    await Promise.resolve();
    this.tokens.set(orderId, token);
  }

  async tokenOf(orderId: string): Promise<string | undefined> {
    await Promise.resolve();
    return this.tokens.get(orderId);
  }

  async forget(orderId: string): Promise<void> {
    await Promise.resolve();
    this.tokens.delete(orderId);
  }
}
