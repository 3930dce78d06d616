import type { SagaStyle } from '../domain/order';

/**
 * Which saga new orders run: the deployment's choice, never the customer's. Read on every new order
 * (the adapter may cache it briefly), so an operator's change reaches new orders without a deployment.
 */
export interface SagaStyleSetting {
  current(): Promise<SagaStyle>;
}
