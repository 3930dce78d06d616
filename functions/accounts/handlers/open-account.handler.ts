import { openAccountDependencies } from '../composition-root';
import { makeOpenAccountHandler } from './open-account';

export const handler = makeOpenAccountHandler(openAccountDependencies());
