import type { Requester } from '../../../shared/identity/requester';
import { accountFor, mayServe, type Account } from '../domain/account';
import type { AccountReader } from '../ports/account-repository';

export type GetAccount = (accountId: string, requester: Requester) => Promise<Account>;

/** The account, for its owner and staff; 404 `ACCOUNT_NOT_FOUND` for anyone else, as for an unknown id. */
export function makeGetAccount(deps: { readonly reader: Pick<AccountReader, 'findAccount'> }): GetAccount {
  return async (accountId, requester) =>
    accountFor(await deps.reader.findAccount(accountId), accountId, requester, mayServe);
}
