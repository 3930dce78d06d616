// Lambda entry: dependencies built once per container; the handler logic is in ./traffic-hook.
import { trafficHookDependencies } from '../composition-root';
import { makeHandler } from './traffic-hook';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(makeHandler(trafficHookDependencies()));
