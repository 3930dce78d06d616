import { getAccountDependencies } from '../composition-root';
import { makeGetAccountHandler } from './get-account';

export const handler = makeGetAccountHandler(getAccountDependencies());
