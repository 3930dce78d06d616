import { getMeDependencies } from '../composition-root';
import { makeGetMeHandler } from './get-me';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeGetMeHandler(getMeDependencies()));
