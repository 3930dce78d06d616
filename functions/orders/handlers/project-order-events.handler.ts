// Lambda entry: dependencies built once per container; the handler logic is in ./project-order-events.
import { projectorDeps } from '../composition-root';
import { makeHandler } from './project-order-events';

export const handler = makeHandler(projectorDeps());
