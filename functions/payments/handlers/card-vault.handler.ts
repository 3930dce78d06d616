import { cardVaultDependencies } from '../composition-root';
import { makeCardVaultHandler } from './card-vault';

/** Invoked by the orders context's create function (Lambda `Invoke`); see ./card-vault. */
export const handler = makeCardVaultHandler(cardVaultDependencies());
