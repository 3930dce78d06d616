import type { MethodThrottle } from '../../../src/apigateway/rest-api-model';
import { StageThrottle, throttleFor } from '../../../src/apigateway/stage-throttle';

const STAGE_DEFAULT: MethodThrottle = { resourcePath: '/*', httpMethod: '*', rateLimit: 10, burstLimit: 5 };
const CREATE_ORDER: MethodThrottle = {
  resourcePath: '/orders',
  httpMethod: 'POST',
  rateLimit: 1,
  burstLimit: 2,
};
const THROTTLES = [STAGE_DEFAULT, CREATE_ORDER];
const POST_ORDERS = { method: 'POST', resourcePath: '/orders' };
const GET_ORDERS = { method: 'GET', resourcePath: '/orders' };
const GET_ORDER = { method: 'GET', resourcePath: '/orders/{orderId}' };

/** A throttle on a clock that moves only when told. */
function throttleAt(startMs = 0) {
  let nowMs = startMs;
  const throttle = new StageThrottle(() => nowMs);
  const admitted = (route: typeof POST_ORDERS, requests: number, throttles = THROTTLES) =>
    Array.from({ length: requests }, () => throttle.admit('api1', 'prod', throttles, route)).filter(Boolean)
      .length;
  return { throttle, admitted, advance: (ms: number) => (nowMs += ms) };
}

describe('throttleFor', () => {
  test("a method's own setting wins over the stage's default, which covers every other method", () => {
    expect(throttleFor(THROTTLES, POST_ORDERS)).toBe(CREATE_ORDER);
    expect(throttleFor(THROTTLES, GET_ORDERS)).toBe(STAGE_DEFAULT);
    expect(throttleFor(THROTTLES, GET_ORDER)).toBe(STAGE_DEFAULT);
  });

  test("a resource's setting for every method (`*`) applies to its methods", () => {
    const anyOrder: MethodThrottle = { ...CREATE_ORDER, resourcePath: '/orders/{orderId}', httpMethod: '*' };
    expect(throttleFor([STAGE_DEFAULT, anyOrder], GET_ORDER)).toBe(anyOrder);
  });

  test('no setting, no throttle', () => {
    expect(throttleFor(undefined, POST_ORDERS)).toBeUndefined();
    expect(throttleFor([CREATE_ORDER], GET_ORDERS)).toBeUndefined();
  });
});

describe('StageThrottle', () => {
  test('admits a burst up to the burst limit at once, then refuses', () => {
    const { admitted } = throttleAt();
    expect(admitted(POST_ORDERS, 10)).toBe(2);
  });

  test('refills at the rate: a token a second at 1 request per second', () => {
    // Prepare: the bucket emptied.
    const { admitted, advance } = throttleAt();
    admitted(POST_ORDERS, 2);
    // Act + Assess
    advance(999);
    expect(admitted(POST_ORDERS, 1)).toBe(0);
    advance(1);
    expect(admitted(POST_ORDERS, 5)).toBe(1);
    // Never more than the burst, however long it was idle.
    advance(60_000);
    expect(admitted(POST_ORDERS, 10)).toBe(2);
  });

  test("each method has its own bucket: the stage's default is not one shared pool", () => {
    const { admitted } = throttleAt();
    expect(admitted(GET_ORDERS, 10)).toBe(5);
    expect(admitted(GET_ORDER, 10)).toBe(5);
    expect(admitted(POST_ORDERS, 10)).toBe(2);
  });

  test('stages and APIs do not share buckets', () => {
    const { throttle } = throttleAt();
    const burst = (apiId: string, stage: string) =>
      Array.from({ length: 5 }, () => throttle.admit(apiId, stage, THROTTLES, POST_ORDERS)).filter(Boolean)
        .length;
    expect([burst('api1', 'prod'), burst('api1', 'dev'), burst('api2', 'prod')]).toEqual([2, 2, 2]);
  });

  test('a burst limit of 0 refuses every request; no throttle admits every one', () => {
    const { admitted } = throttleAt();
    expect(admitted(POST_ORDERS, 3, [{ ...CREATE_ORDER, burstLimit: 0 }])).toBe(0);
    expect(admitted(POST_ORDERS, 1_000, [])).toBe(1_000);
  });
});
