/**
 * The only place the inventory functions read `process.env`. Each function parses just what it needs,
 * once per container, into a frozen object, and fails at start-up naming any missing variable.
 * The names are set by `infra/stacks/inventory-stack.ts` (and `EVENT_BUS_NAME` by `OutboxRelay`).
 */
import { z } from 'zod';

type Env = Readonly<Record<string, string | undefined>>;

const variable = z.string({ error: 'is not set' }).min(1, { error: 'is empty' });

const ProductsEnv = z.object({ PRODUCTS_TABLE: variable });
const ProductCommandEnv = z.object({ PRODUCTS_TABLE: variable, IDEMPOTENCY_TABLE: variable });
const OutboxRelayEnv = z.object({ EVENT_BUS_NAME: variable });

export interface ProductsConfig {
  readonly productsTable: string;
}

export interface ProductCommandConfig extends ProductsConfig {
  readonly idempotencyTable: string;
}

export interface OutboxRelayConfig {
  readonly eventBusName: string;
}

/** For the functions that read or change products. */
export function loadProductsConfig(env: Env = process.env): ProductsConfig {
  const parsed = parseEnv(ProductsEnv, env);
  return Object.freeze({ productsTable: parsed.PRODUCTS_TABLE });
}

/** For the product commands (`POST /products`, `POST /products/{productId}/restock`), which also keep `Idempotency-Key` records. */
export function loadProductCommandConfig(env: Env = process.env): ProductCommandConfig {
  const parsed = parseEnv(ProductCommandEnv, env);
  return Object.freeze({ productsTable: parsed.PRODUCTS_TABLE, idempotencyTable: parsed.IDEMPOTENCY_TABLE });
}

export function loadOutboxRelayConfig(env: Env = process.env): OutboxRelayConfig {
  const parsed = parseEnv(OutboxRelayEnv, env);
  return Object.freeze({ eventBusName: parsed.EVENT_BUS_NAME });
}

/**
 * The X-Ray trace header of the running invocation, carried into events so traces join across the bus.
 * Lambda sets `_X_AMZN_TRACE_ID` anew for each invocation, so this one is read per call, not once.
 */
export function currentTraceHeader(env: Env = process.env): string | undefined {
  const header = env['_X_AMZN_TRACE_ID'];
  return header === undefined || header.length === 0 ? undefined : header;
}

function parseEnv<S extends z.ZodObject>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
  throw new Error(`Inventory configuration: ${problems.join('; ')}.`);
}
