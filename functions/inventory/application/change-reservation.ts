import type { CommandContext } from '../../../shared/event-sourcing/command-context';
import type { StockLine, StockReservationEvent } from '../contracts';
import type { Product } from '../domain/product';
import type { Reservation, ReservationDecision } from '../domain/stock-reservation';
import type { StockReservationRepository } from '../ports/stock-reservation-repository';
import { envelope } from './event-envelope';
import {
  retryLostRaces,
  type LostRaceRetryOptions,
  type LostRaceRetryPolicy,
} from '../../../shared/resilience';

/**
 * The saga's stock steps: the pause after the n-th lost race drawn from [0, 50 / n) ms, for at most
 * 10 s and 50 attempts. A hot product takes one write per read-write round trip (≈ 15 ms on DynamoDB):
 * short pauses keep the writers racing for it close behind one another, the jitter keeps them apart.
 * Step Functions retries a step that gives up.
 */
export const STOCK_STEP_RETRY: LostRaceRetryPolicy = {
  maxAttempts: 50,
  firstPauseMs: 50,
  maxElapsedMs: 10_000,
  answerReserveMs: 0,
};

/** An order's lines, as a saga step names them. */
export interface OrderStock {
  readonly orderId: string;
  readonly items: readonly StockLine[];
}

/** How one line of the order ended. */
export interface LineOutcome {
  readonly productId: string;
  /**
   * `moved`: units moved now; `unchanged`: the move was made before; `tombstone`: nothing was held,
   * the reservation is marked released; `unknown-product`: no such product, nothing written.
   */
  readonly outcome: 'moved' | 'unchanged' | 'tombstone' | 'unknown-product';
  /** The order's reservation of the product after the step; none for an unknown product. */
  readonly reservation: Reservation | undefined;
}

export interface StockReservationDependencies {
  readonly repository: StockReservationRepository;
  /** @default STOCK_STEP_RETRY */
  readonly retry?: LostRaceRetryOptions;
}

export interface ReservationMove {
  readonly decide: (product: Product, reservation: Reservation | undefined) => ReservationDecision;
  /** What a product that does not exist means to the step: an error to throw, or an outcome. */
  readonly unknownProduct: () => LineOutcome;
}

/**
 * One product's move, under optimistic locking: load the product and the order's reservation of it,
 * decide (pure), write the product at its next version, the reservation and the event in one
 * transaction conditional on the version and status read. A concurrent writer in between (another
 * order on the same product, or another step of this order) fails the write; the whole
 * load-decide-write runs again on the fresh state, a bounded number of times.
 */
export function changeReservation(
  deps: StockReservationDependencies,
  productId: string,
  orderId: string,
  move: ReservationMove,
  context: CommandContext,
): Promise<LineOutcome> {
  return retryLostRaces(async (): Promise<LineOutcome> => {
    const { product, reservation } = await deps.repository.load(productId, orderId);
    if (product === undefined) {
      if (reservation !== undefined) {
        throw new Error(
          `Order ${orderId} holds a reservation of product ${productId}, which does not exist.`,
        );
      }
      return move.unknownProduct();
    }
    const decision = move.decide(product, reservation);
    switch (decision.kind) {
      case 'unchanged':
        return { productId, outcome: 'unchanged', reservation: decision.reservation };
      case 'tombstone':
        await deps.repository.save({
          kind: 'tombstone',
          reservation: decision.reservation,
          releasedAt: context.now().toISOString(),
        });
        return { productId, outcome: 'tombstone', reservation: decision.reservation };
      case 'moved':
        await deps.repository.save({
          kind: 'move',
          product: decision.product,
          expectedVersion: product.version,
          reservation: decision.reservation,
          expectedStatus: reservation?.status,
          event: envelope<StockReservationEvent>(decision.event, decision.product, context),
        });
        return { productId, outcome: 'moved', reservation: decision.reservation };
    }
  }, deps.retry ?? STOCK_STEP_RETRY);
}

/**
 * The move of every line of the order, product by product, each in its own transaction (one for all
 * would pass DynamoDB's transaction limits on a large order). A line whose move throws ends the step;
 * the lines moved before it stay moved.
 */
export async function changeEachLine(
  deps: StockReservationDependencies,
  order: OrderStock,
  moveOf: (line: StockLine) => ReservationMove,
  context: CommandContext,
): Promise<LineOutcome[]> {
  const outcomes: LineOutcome[] = [];
  for (const line of order.items) {
    outcomes.push(await changeReservation(deps, line.productId, order.orderId, moveOf(line), context));
  }
  return outcomes;
}
