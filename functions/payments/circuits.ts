/**
 * The breakers' names, and their state items' keys: one circuit per compartment of the bulkhead, each
 * shared by every instance of its function. Charges failing (a hanging or failing card, a processor
 * down) open the charges' circuit only: the refunds that compensate those very sagas keep calling
 * until refunds themselves fail. One circuit for both would stay open through a run of failing charges
 * (its probe is then, most of the time, another failing charge), fail every refund fast, and park the
 * sagas with their customers' money or stock still held. See docs/patterns/bulkhead.md.
 *
 * A module of names alone: the infrastructure alarms on each circuit's `CircuitTransition` metric
 * (dimension `circuit`) without loading the functions' SDK clients.
 */
export const CHARGE_CIRCUIT = 'payment-provider';
export const REFUND_CIRCUIT = 'payment-provider-refunds';
/** The accounts context's payment function, guarded as the card processor is: charges apart from refunds. */
export const ACCOUNT_CHARGE_CIRCUIT = 'accounts';
export const ACCOUNT_REFUND_CIRCUIT = 'accounts-refunds';

/** Every circuit the payments functions keep. */
export const PAYMENT_CIRCUITS = [
  CHARGE_CIRCUIT,
  REFUND_CIRCUIT,
  ACCOUNT_CHARGE_CIRCUIT,
  ACCOUNT_REFUND_CIRCUIT,
] as const;
