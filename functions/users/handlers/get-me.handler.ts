import { getMeDependencies } from '../composition-root';
import { makeGetMeHandler } from './get-me';

export const handler = makeGetMeHandler(getMeDependencies());
