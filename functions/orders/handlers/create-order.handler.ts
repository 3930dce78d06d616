// Lambda entry: dependencies built once per container; the handler logic is in ./create-order.
import { createOrderDependencies } from '../composition-root';
import { makeHandler } from './create-order';
import { withInjectedFailures } from '../../../shared/observability/injected-failure';
import { publishingMetrics } from '../../../shared/observability/metrics';
import { tracedHandler } from '../../../shared/observability/tracer';

export const handler = tracedHandler(
  publishingMetrics(withInjectedFailures(makeHandler(createOrderDependencies()))),
);
