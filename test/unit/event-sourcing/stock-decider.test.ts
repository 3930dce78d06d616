import { ConflictError, ValidationError } from '../../../shared/errors/app-error';
import {
  AggregateRunner,
  InMemoryEventStore,
  type CommandResult,
  type EventPayload,
} from '../../../shared/event-sourcing';
import { fixedContext } from './fixed-context';
import {
  STOCK_AGGREGATE_TYPE,
  stockDecider,
  stockEvent,
  type StockCommand,
  type StockEvent,
  type StockState,
} from './stock-decider';

const ID = 'prd_01JD0000000000000000000001';

type Payload = EventPayload<StockEvent>;

/**
 * given (history) → when (command) → then (the new events, or a refusal), through the runner and the in-memory store,
 * the way a function's unit tests drive their aggregate.
 */
function given(...history: Payload[]) {
  const store = new InMemoryEventStore<StockEvent, StockState>();
  const runner = new AggregateRunner({ store, decider: stockDecider, aggregateType: STOCK_AGGREGATE_TYPE });
  const seeded = store.append(
    ID,
    0,
    history.map((payload, index) => stockEvent(ID, index + 1, payload)),
  );
  return {
    when(command: StockCommand) {
      const result: Promise<CommandResult<StockState, StockEvent>> = seeded.then(() =>
        runner.run(ID, command, fixedContext()),
      );
      return {
        async thenEmits(...expected: Payload[]): Promise<StockState> {
          const { events, version, state } = await result;
          expect(events.map(({ type, data }) => ({ type, data }))).toEqual(expected);
          expect(version).toBe(history.length + expected.length);
          expect(await store.load(ID)).toHaveLength(history.length + expected.length);
          return state;
        },
        async thenRefuses(error: new (...args: never[]) => Error, code: string): Promise<void> {
          await expect(result).rejects.toBeInstanceOf(error);
          await expect(result).rejects.toMatchObject({ code });
          expect(await store.load(ID)).toHaveLength(history.length);
        },
      };
    },
  };
}

const received = (quantity: number): Payload => ({ type: 'StockReceived', data: { quantity } });
const reserved = (orderId: string, quantity: number): Payload => ({
  type: 'StockReserved',
  data: { orderId, quantity },
});
const released = (orderId: string): Payload => ({ type: 'StockReleased', data: { orderId } });

describe('a stock aggregate through the runner', () => {
  it('opens with its first parcel', async () => {
    const state = await given().when({ type: 'OpenStock', quantity: 5 }).thenEmits(received(5));

    expect(state).toEqual({ onHand: 5, reservations: {} });
  });

  it('refuses to open a stock that has received stock', async () => {
    await given(received(1))
      .when({ type: 'OpenStock', quantity: 5 })
      .thenRefuses(ConflictError, 'STOCK_EXISTS');
  });

  it('receives one event per parcel', async () => {
    const state = await given()
      .when({ type: 'ReceiveStock', parcels: [5, 3] })
      .thenEmits(received(5), received(3));

    expect(state).toEqual({ onHand: 8, reservations: {} });
  });

  it('refuses an empty parcel', async () => {
    await given()
      .when({ type: 'ReceiveStock', parcels: [0] })
      .thenRefuses(ValidationError, 'VALIDATION_FAILED');
  });

  it('reserves what is available', async () => {
    const state = await given(received(10), reserved('ord_A', 6))
      .when({ type: 'ReserveStock', orderId: 'ord_B', quantity: 4 })
      .thenEmits(reserved('ord_B', 4));

    expect(state.reservations).toEqual({ ord_A: 6, ord_B: 4 });
  });

  it('refuses to reserve more than is available', async () => {
    await given(received(10), reserved('ord_A', 6))
      .when({ type: 'ReserveStock', orderId: 'ord_B', quantity: 5 })
      .thenRefuses(ConflictError, 'INSUFFICIENT_STOCK');
  });

  it('reserves for an order once, however often it is asked', async () => {
    await given(received(10), reserved('ord_A', 6))
      .when({ type: 'ReserveStock', orderId: 'ord_A', quantity: 6 })
      .thenEmits();
  });

  it('releases a reservation, making its stock available again', async () => {
    const state = await given(received(10), reserved('ord_A', 10))
      .when({ type: 'ReleaseStock', orderId: 'ord_A' })
      .thenEmits(released('ord_A'));

    expect(state).toEqual({ onHand: 10, reservations: {} });
  });

  it('releases nothing for an order without a reservation', async () => {
    await given(received(10), reserved('ord_A', 10), released('ord_A'))
      .when({ type: 'ReleaseStock', orderId: 'ord_A' })
      .thenEmits();
  });
});
