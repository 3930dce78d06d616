import { DependencyUnavailableError } from '../../../shared/errors/app-error';
import { InMemoryEventStore } from '../../../shared/event-sourcing';
import type { HttpInterceptor } from '../../../shared/http';
import { decodeCursor, encodeCursor } from '../../../functions/orders/adapters/list-cursor';
import { orderRunner } from '../../../functions/orders/application/order-runner';
import type { OrderEvent, OrderState } from '../../../functions/orders/domain/order';
import type { CommandContextFactory } from '../../../functions/orders/handlers/command-context';
import type {
  ListOptions,
  OrderView,
  OrderViewPage,
  OrderViewReader,
  OrderViewWriter,
  SaveOutcome,
} from '../../../functions/orders/ports/order-views';
import type {
  CatalogCallContext,
  ProductCatalog,
  ProductPrice,
} from '../../../functions/orders/ports/product-catalog';
import { fixedContext } from '../event-sourcing/fixed-context';

export const USER_ID = 'usr_01JD0000000000000000000001';
export const KEYBOARD = 'prd_01JD00000000000000000000KB';
export const MOUSE = 'prd_01JD00000000000000000000MS';
export const EURO_MUG = 'prd_01JD00000000000000000000MG';
export const UNKNOWN = 'prd_01JD00000000000000000000XX';

/** Inventory as a map of prices; `unavailable` makes every call fail as an unreachable service does. */
export class FakeProductCatalog implements ProductCatalog {
  readonly calls: { productId: string; correlationId: string }[] = [];
  unavailable = false;

  constructor(
    private readonly prices: Readonly<Record<string, Omit<ProductPrice, 'productId'>>> = {
      [KEYBOARD]: { unitPriceCents: 4_999, currency: 'USD' },
      [MOUSE]: { unitPriceCents: 1_250, currency: 'USD' },
      [EURO_MUG]: { unitPriceCents: 900, currency: 'EUR' },
    },
  ) {}

  async priceOf(productId: string, context: CatalogCallContext): Promise<ProductPrice | undefined> {
    this.calls.push({ productId, correlationId: context.correlationId });
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

/** An `httpHandler` interceptor that lets every request through, for handlers tested without DynamoDB. */
export const noIdempotency: HttpInterceptor = (_invocation, proceed) => proceed();

export const fixedCommandContext: CommandContextFactory = (ids) => ({ ...fixedContext(), ...ids });

export function orderStore() {
  return new InMemoryEventStore<OrderEvent, OrderState>();
}

export function runnerOn(store: InMemoryEventStore<OrderEvent, OrderState>) {
  return orderRunner(store, { maxAttempts: 5, sleep: async () => undefined });
}
