/**
 * The PlaceOrder machine's compensation chain, state by state, as `GetExecutionHistory` shows it and
 * the synthesized definition links it: the order is cancelled first — the one compensation that can
 * refuse — then the charge refunded when one may exist, then the stock released.
 */
export const CANCEL_AND_RELEASE: readonly string[] = [
  'CancelOrder',
  'ChargeMayExist',
  'ReleaseStock',
  'OrderCancelled',
];

export const CANCEL_REFUND_AND_RELEASE: readonly string[] = [
  'CancelOrder',
  'ChargeMayExist',
  'RefundPayment',
  'ReleaseStock',
  'OrderCancelled',
];
