/**
 * The only place the inventory functions read `process.env`. Each function parses just what it needs,
 * once per container, into a frozen object, and fails at start-up naming any missing variable.
 * The names are set by `infra/stacks/inventory-stack.ts`; the outbox relay's by the shared outbox kit.
 */
import * as z from 'zod';
import { parseEnv, requiredVariable, type Env } from '../../shared/config/env';

const variable = requiredVariable;

const ProductsEnv = z.object({ PRODUCTS_TABLE: variable });
const ProductCommandEnv = z.object({ PRODUCTS_TABLE: variable, IDEMPOTENCY_TABLE: variable });
const OrderSagaEventsEnv = z.object({ PRODUCTS_TABLE: variable, EVENTS_QUEUE_URL: variable });

export interface ProductsConfig {
  readonly productsTable: string;
}

export interface ProductCommandConfig extends ProductsConfig {
  readonly idempotencyTable: string;
}

/** For the functions that read or change products. */
export function loadProductsConfig(env: Env = process.env): ProductsConfig {
  const parsed = parseEnv('Inventory', ProductsEnv, env);
  return Object.freeze({ productsTable: parsed.PRODUCTS_TABLE });
}

/** For the product commands (`POST /products`, `POST /products/{productId}/restock`), which also keep `Idempotency-Key` records. */
export function loadProductCommandConfig(env: Env = process.env): ProductCommandConfig {
  const parsed = parseEnv('Inventory', ProductCommandEnv, env);
  return Object.freeze({ productsTable: parsed.PRODUCTS_TABLE, idempotencyTable: parsed.IDEMPOTENCY_TABLE });
}

export interface OrderSagaEventsConfig extends ProductsConfig {
  /** The consumer's own queue: early events are put back on it for a while. */
  readonly eventsQueueUrl: string;
}

/** For the choreographed saga's consumer. */
export function loadOrderSagaEventsConfig(env: Env = process.env): OrderSagaEventsConfig {
  const parsed = parseEnv('Inventory', OrderSagaEventsEnv, env);
  return Object.freeze({ productsTable: parsed.PRODUCTS_TABLE, eventsQueueUrl: parsed.EVENTS_QUEUE_URL });
}
