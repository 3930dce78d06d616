import type { Requester } from '../../../shared/identity/requester';
import { DependencyUnavailableError } from '../../../shared/errors/app-error';
import { InMemoryEventStore } from '../../../shared/event-sourcing';
import type { HttpInterceptor } from '../../../shared/http';
import { decodeCursor, encodeCursor } from '../../../functions/orders/adapters/list-cursor';
import { orderRunner } from '../../../functions/orders/application/order-runner';
import type { PlaceOrderSagaInput } from '../../../functions/orders/contracts/place-order-saga';
import type { CardPayment, OrderEvent, OrderState } from '../../../functions/orders/domain/order';
import type { CardVault } from '../../../functions/orders/ports/card-vault';
import type { CommandContextFactory } from '../../../shared/event-sourcing';
import type {
  KnownUser,
  KnownUserReader,
  KnownUserWriter,
  RecordOutcome,
} from '../../../functions/orders/ports/known-users';
import type {
  ListOptions,
  OrderView,
  OrderViewPage,
  OrderViewReader,
  OrderViewWriter,
  SaveOutcome,
} from '../../../functions/orders/ports/order-views';
import type {
  ApprovalTask,
  ApprovalTaskResolution,
  ApprovalTasks,
} from '../../../functions/orders/ports/approval-tasks';
import type {
  SagaExecution,
  SagaStartOutcome,
  SagaStarter,
  SagaStatus,
} from '../../../functions/orders/ports/place-order-saga';
import type { TaskCallbackOutcome, TaskCallbacks } from '../../../shared/saga/task-callbacks';
import type {
  CatalogCallContext,
  ProductCatalog,
  ProductPrice,
} from '../../../functions/orders/ports/product-catalog';
import { fixedContext } from '../event-sourcing/fixed-context';

export const USER_ID = 'usr_01JD0000000000000000000001';
/** The customer of the orders these tests make, as the authorizer names them. */
export const OWNER: Requester = { userId: USER_ID, isStaff: false };
/** What the client sends in `Authorization`; orders forwards it to inventory. */
export const ID_TOKEN = 'eyJ.test-id-token.sig';
export const KEYBOARD = 'prd_01JD00000000000000000000KB';
export const MOUSE = 'prd_01JD00000000000000000000MS';
export const EURO_MUG = 'prd_01JD00000000000000000000MG';
export const UNKNOWN = 'prd_01JD00000000000000000000XX';

/** Inventory as a map of prices; `unavailable` makes every call fail as an unreachable service does. */
export class FakeProductCatalog implements ProductCatalog {
  readonly calls: { productId: string; correlationId: string; authorization: string }[] = [];
  unavailable = false;

  constructor(
    private readonly prices: Readonly<Record<string, Omit<ProductPrice, 'productId'>>> = {
      [KEYBOARD]: { unitPriceCents: 4_999, currency: 'USD' },
      [MOUSE]: { unitPriceCents: 1_250, currency: 'USD' },
      [EURO_MUG]: { unitPriceCents: 900, currency: 'EUR' },
    },
  ) {}

  async priceOf(productId: string, context: CatalogCallContext): Promise<ProductPrice | undefined> {
    this.calls.push({
      productId,
      correlationId: context.correlationId,
      authorization: context.authorization,
    });
    await Promise.resolve();
    if (this.unavailable)
      throw new DependencyUnavailableError('inventory', 'The inventory service did not answer.');
    const price = this.prices[productId];
    return price === undefined ? undefined : { productId, ...price };
  }
}

/** The read model in a Map, with the DynamoDB adapter's conditional save and cursor format. */
export class InMemoryOrderViews implements OrderViewReader, OrderViewWriter {
  readonly views = new Map<string, OrderView>();

  async get(orderId: string): Promise<OrderView | undefined> {
    await Promise.resolve();
    const view = this.views.get(orderId);
    return view === undefined ? undefined : structuredClone(view);
  }

  async save(view: OrderView, expectedVersion: number): Promise<SaveOutcome> {
    await Promise.resolve();
    const stored = this.views.get(view.orderId);
    if ((stored?.version ?? 0) !== expectedVersion || (expectedVersion === 0 && stored !== undefined)) {
      return 'version-conflict';
    }
    this.views.set(view.orderId, structuredClone(view));
    return 'saved';
  }

  async listByUser(userId: string, options: ListOptions): Promise<OrderViewPage> {
    const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    const mine = [...this.views.values()]
      .filter((view) => view.userId === userId && (after === undefined || view.orderId < after))
      .sort((a, b) => b.orderId.localeCompare(a.orderId));
    const orders = mine.slice(0, options.limit);
    const last = orders.at(-1);
    return mine.length > options.limit && last !== undefined
      ? { orders, nextCursor: encodeCursor(last.orderId) }
      : { orders };
  }
}

/** Known users in a Map, with the DynamoDB adapter's first-record-wins put. */
export class InMemoryKnownUsers implements KnownUserReader, KnownUserWriter {
  readonly users = new Map<string, KnownUser>();
  /** How many records were written, duplicates not counted: what a redelivery must not move. */
  writes = 0;

  constructor(...known: readonly string[]) {
    for (const userId of known) this.users.set(userId, { userId, registeredAt: '2026-11-26T11:00:00.000Z' });
  }

  async find(userId: string): Promise<KnownUser | undefined> {
    await Promise.resolve();
    const user = this.users.get(userId);
    return user === undefined ? undefined : { ...user };
  }

  async record(user: KnownUser): Promise<RecordOutcome> {
    await Promise.resolve();
    if (this.users.has(user.userId)) return 'already-known';
    this.users.set(user.userId, { ...user });
    this.writes += 1;
    return 'recorded';
  }
}

/** An `httpHandler` interceptor that lets every request through, for handlers tested without DynamoDB. */
export const noIdempotency: HttpInterceptor = (_invocation, proceed) => proceed();

export const fixedCommandContext: CommandContextFactory = (ids) => ({ ...fixedContext(), ...ids });

export function orderStore() {
  return new InMemoryEventStore<OrderEvent, OrderState>();
}

export function runnerOn(store: InMemoryEventStore<OrderEvent, OrderState>) {
  return orderRunner(store, { maxAttempts: 5, sleep: async () => undefined });
}

/** The card every test order pays with, as the order keeps it: the method alone. */
export const CARD: CardPayment = { method: 'card' };
/** That card as the client sends it, with its processor token. */
export const CARD_INPUT = { method: 'card', token: 'tok_visa' } as const;

/** The payments context's card vault, as a Map of the tokens handed over per order. */
export class InMemoryCardVault implements CardVault {
  readonly tokens = new Map<string, string>();
  failing = false;

  async keep(orderId: string, token: string): Promise<void> {
    await Promise.resolve();
    if (this.failing) {
      throw new DependencyUnavailableError('payments', 'The payments service did not take the card.');
    }
    this.tokens.set(orderId, token);
  }
}

/** Approval tasks in a Map, with the DynamoDB adapter's replace-on-save and conditional mark. */
export class InMemoryApprovalTasks implements ApprovalTasks {
  readonly tasks = new Map<string, ApprovalTask>();
  failGets = false;

  async get(orderId: string): Promise<ApprovalTask | undefined> {
    await Promise.resolve();
    if (this.failGets) throw new Error('the table is unavailable');
    const task = this.tasks.get(orderId);
    return task === undefined ? undefined : structuredClone(task);
  }

  async save(task: Pick<ApprovalTask, 'orderId' | 'taskToken' | 'requestedAt'>): Promise<void> {
    await Promise.resolve();
    this.tasks.set(task.orderId, {
      orderId: task.orderId,
      taskToken: task.taskToken,
      requestedAt: task.requestedAt,
    });
  }

  async markResolved(task: ApprovalTask, resolution: ApprovalTaskResolution, at: string): Promise<void> {
    await Promise.resolve();
    if (this.tasks.get(task.orderId)?.taskToken !== task.taskToken) return;
    this.tasks.set(task.orderId, { ...task, resolution, resolvedAt: at });
  }
}

export type TaskCallback =
  | { readonly kind: 'succeed'; readonly taskToken: string; readonly output: unknown }
  | { readonly kind: 'fail'; readonly taskToken: string; readonly error: string; readonly cause: string };

/**
 * Step Functions' task callbacks: records each call; a token in `closed` answers `task-closed`,
 * `unavailable` makes every call throw as an unreachable service does.
 */
export class FakeTaskCallbacks implements TaskCallbacks {
  readonly calls: TaskCallback[] = [];
  readonly closed = new Set<string>();
  unavailable = false;

  async succeed(taskToken: string, output: unknown): Promise<TaskCallbackOutcome> {
    return this.answer({ kind: 'succeed', taskToken, output });
  }

  async fail(taskToken: string, error: string, cause: string): Promise<TaskCallbackOutcome> {
    return this.answer({ kind: 'fail', taskToken, error, cause });
  }

  private async answer(call: TaskCallback): Promise<TaskCallbackOutcome> {
    await Promise.resolve();
    if (this.unavailable) {
      throw new DependencyUnavailableError('step-functions', 'Step Functions did not answer.');
    }
    this.calls.push(call);
    if (this.closed.has(call.taskToken)) return 'task-closed';
    // A token is answered once: Step Functions closes the task with the first answer.
    this.closed.add(call.taskToken);
    return 'delivered';
  }
}

/** The saga's executions by order: what `describe` answers; `unavailable` throws as an unreachable service does. */
export class FakeSagaStatus implements SagaStatus {
  readonly executions = new Map<string, Omit<SagaExecution, 'executionArn'>>();
  unavailable = false;

  executionArnOf(orderId: string): string {
    return `arn:aws:states:us-east-1:123456789012:execution:PlaceOrder:${orderId}`;
  }

  async describe(orderId: string): Promise<SagaExecution> {
    await Promise.resolve();
    if (this.unavailable) {
      throw new DependencyUnavailableError('step-functions', 'Step Functions did not answer.');
    }
    return {
      executionArn: this.executionArnOf(orderId),
      ...(this.executions.get(orderId) ?? { status: 'NOT_STARTED' }),
    };
  }
}

/** Starts executions named after their orders, as Step Functions does: a second start of one order is `already-started`. */
export class FakeSagaStarter implements SagaStarter {
  readonly started: { input: PlaceOrderSagaInput; traceHeader?: string }[] = [];

  async start(
    input: PlaceOrderSagaInput,
    options: { readonly traceHeader?: string } = {},
  ): Promise<SagaStartOutcome> {
    await Promise.resolve();
    if (this.started.some((execution) => execution.input.orderId === input.orderId)) return 'already-started';
    this.started.push({ input, ...options });
    return 'started';
  }
}

export interface LoggedLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly attributes: Record<string, unknown>;
}

/** A logger that keeps its lines, for the use cases and handlers that log instead of failing. */
export function recordingLogger(lines: LoggedLine[] = []) {
  const at = (level: LoggedLine['level']) => (message: string, attributes: Record<string, unknown>) =>
    void lines.push({ level, message, attributes });
  const keys = () => undefined;
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    appendKeys: keys,
    removeKeys: keys,
    resetKeys: keys,
  };
}
