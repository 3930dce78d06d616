import type { Charge } from '../domain/charge';
import type { Ledger } from '../ports/ledger';

export type ListCharges = (orderId: string) => Promise<Charge[]>;

/** `GET /v1/charges?orderId=`: every charge recorded for the order, oldest first. */
export function makeListCharges(deps: { readonly ledger: Ledger }): ListCharges {
  return (orderId) => deps.ledger.chargesOfOrder(orderId);
}
