import { listChargesDependencies } from '../composition-root';
import { makeListChargesHandler } from './list-charges';

export const handler = makeListChargesHandler(listChargesDependencies());
