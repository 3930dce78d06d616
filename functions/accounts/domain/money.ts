/**
 * Money is an integer number of minor units (cents for USD) of one ISO 4217 currency, never a float.
 * The bounds keep every sum of balances and amounts an exact JavaScript number.
 */

/** The most one deposit or transfer moves: 10 million in major units. */
export const MAX_AMOUNT_CENTS = 1_000_000_000;
/** The most an account holds; far below `Number.MAX_SAFE_INTEGER`, so sums stay exact. */
export const MAX_BALANCE_CENTS = 1_000_000_000_000_000;

/** The alphabetic codes of ISO 4217 as the runtime's ICU knows them (USD, EUR, JPY…). */
const ISO_4217_CODES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** True for an ISO 4217 alphabetic code, upper case: `USD`, not `usd` or `ABC`. */
export function isCurrencyCode(value: string): boolean {
  return /^[A-Z]{3}$/.test(value) && ISO_4217_CODES.has(value);
}

/** True for an amount a deposit or transfer may move: a whole number of minor units from 1 to the maximum. */
export function isValidAmount(amountCents: number): boolean {
  return Number.isSafeInteger(amountCents) && amountCents > 0 && amountCents <= MAX_AMOUNT_CENTS;
}
