import { getMeDependencies } from '../composition-root';
import { makeHandler } from './get-me';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(getMeDependencies()));
