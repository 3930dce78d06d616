import type { Requester } from '../../../shared/identity/requester';
import { openAccount, type Account } from '../domain/account';
import type { AccountRepository } from '../ports/account-repository';

export type OpenAccount = (input: { readonly currency: string }, requester: Requester) => Promise<Account>;

export interface OpenAccountDependencies {
  readonly repository: Pick<AccountRepository, 'openAccount'>;
  /** `acc_` + ULID in production. */
  readonly newAccountId: () => string;
  readonly now: () => Date;
}

/** Opens an empty account at version 0, owned by the requester: a customer opens their own accounts. */
export function makeOpenAccount(deps: OpenAccountDependencies): OpenAccount {
  return async ({ currency }, requester) => {
    const account = openAccount({
      accountId: deps.newAccountId(),
      ownerId: requester.userId,
      currency,
      openedAt: deps.now().toISOString(),
    });
    await deps.repository.openAccount(account);
    return account;
  };
}
