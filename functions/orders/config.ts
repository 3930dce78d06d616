/**
 * The orders functions' configuration: the only place their code reads `process.env`. Each function
 * parses only the variables it needs, once per container, into a frozen object; a missing or invalid
 * variable fails the cold start with its name, rather than a request with a puzzle.
 */
import * as z from 'zod';
import {
  nonNegativeInteger,
  parseEnv,
  positiveInteger,
  requiredVariable,
  type Env,
} from '../../shared/config/env';

const name = requiredVariable;

const stateMachineArn = z.string().regex(/^arn:[^:]+:states:[^:]*:[^:]*:stateMachine:[^:]+$/, {
  error: 'must be the ARN of a state machine (arn:…:states:<region>:<account>:stateMachine:<name>)',
});

const commandVariables = {
  EVENT_STORE_TABLE: name,
  IDEMPOTENCY_TABLE: name,
  /** Save a snapshot every this many events (see `AggregateRunner`). */
  SNAPSHOT_EVERY: positiveInteger(25),
};

const schemas = {
  command: z.object(commandVariables),
  createOrder: z.object({
    ...commandVariables,
    /** The Cloud Map namespace and service where inventory's instances (`/products/{id}` under each) are found. */
    INVENTORY_NAMESPACE: name,
    INVENTORY_SERVICE: name,
    /** How long discovered instances are used before Cloud Map is asked again. */
    DISCOVERY_CACHE_TTL_MS: positiveInteger(10_000),
    /**
     * Per attempt of a price look-up: room for a cold start of inventory's function on a busy host.
     * Five attempts of 3 s and their pauses (at most 1.5 s) fit the create function's 20 s with time
     * to answer; the invocation's remaining time cuts them short anyway.
     */
    INVENTORY_TIMEOUT_MS: positiveInteger(3_000),
    INVENTORY_MAX_ATTEMPTS: positiveInteger(5),
    /** How long a found price is reused in the execution environment; 0: no cache. */
    PRICE_CACHE_TTL_MS: nonNegativeInteger(60_000),
    /** The SSM parameter naming the saga style of new orders. */
    SAGA_STYLE_PARAMETER: name,
    /** How long an execution environment reuses the saga style it read. */
    SAGA_STYLE_MAX_AGE_SECONDS: positiveInteger(5),
    /** Choreographed orders totalling at least this many minor units wait for a human approval. */
    APPROVAL_THRESHOLD_CENTS: positiveInteger(100_000),
    /** The payments context's card vault function (name or ARN): a card's token goes there. */
    CARD_VAULT_FUNCTION: name,
    /** Per invocation of the card vault, its retries included: room for a cold start. */
    CARD_VAULT_TIMEOUT_MS: positiveInteger(5_000),
  }),
  /** The choreographed saga's consumer: the event store, its queue, and the deadlines' schedules. */
  orderSagaEvents: z.object({
    EVENT_STORE_TABLE: name,
    SNAPSHOT_EVERY: commandVariables.SNAPSHOT_EVERY,
    EVENTS_QUEUE_URL: name,
    DEADLINE_SCHEDULE_GROUP: name,
    DEADLINE_BUS_ARN: name,
    DEADLINE_ROLE_ARN: name,
    DEADLINE_DEAD_LETTER_QUEUE_ARN: name,
    APPROVAL_DEADLINE_SECONDS: positiveInteger(86_400),
    WATCHDOG_SECONDS: positiveInteger(7_200),
  }),
  /** The saga's steps on the order: the event store (approval tasks included), no idempotency records. */
  sagaStep: z.object({ EVENT_STORE_TABLE: name, SNAPSHOT_EVERY: commandVariables.SNAPSHOT_EVERY }),
  /** The PlaceOrder state machine, whose executions are named after their orders. */
  startSaga: z.object({ SAGA_STATE_MACHINE_ARN: stateMachineArn }),
  history: z.object({ EVENT_STORE_TABLE: name }),
  query: z.object({ READ_MODEL_TABLE: name }),
  getOrder: z.object({ READ_MODEL_TABLE: name, SAGA_STATE_MACHINE_ARN: stateMachineArn }),
  projector: z.object({ READ_MODEL_TABLE: name, EVENTS_QUEUE_URL: name }),
} as const;

export type ConfigSection = keyof typeof schemas;
export type OrdersConfig<S extends ConfigSection> = Readonly<z.output<(typeof schemas)[S]>>;

/** The variables of one function, parsed and frozen; a missing or malformed one fails the cold start. */
export function loadConfig<S extends ConfigSection>(section: S, env: Env = process.env): OrdersConfig<S> {
  return Object.freeze(parseEnv('Orders', schemas[section], env)) as OrdersConfig<S>;
}
