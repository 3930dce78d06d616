import { isChargeId, type Charge } from '../domain/charge';
import { ResourceMissingError } from '../domain/errors';
import type { Ledger } from '../ports/ledger';

export type GetCharge = (chargeId: string) => Promise<Charge>;

/** `GET /v1/charges/{chargeId}`: the charge with its `refundedCents`, or 404 `resource_missing`. */
export function makeGetCharge(deps: { readonly ledger: Ledger }): GetCharge {
  return async (chargeId) => {
    const charge = isChargeId(chargeId) ? await deps.ledger.findCharge(chargeId) : undefined;
    if (charge === undefined) throw new ResourceMissingError('charge', chargeId);
    return charge;
  };
}
