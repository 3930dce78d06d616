import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod';
import { idSchema } from '../../../shared/http/id-schema';
import { houseStyleReasons, validationErrorFromZod } from '../../../shared/http/validation-error-from-zod';
import { withRequestContext } from '../../../shared/observability/with-request-context';
import { CARD_TOKEN_PATTERN, type KeepCardTokenAnswer } from '../contracts/card-vault';
import type { CardVault } from '../ports/card-vault';
import { annotate } from '../../../shared/observability/tracer';

export interface CardVaultHandlerDependencies {
  readonly cardVault: CardVault;
  readonly logger: Pick<Logger, 'info' | 'warn' | 'appendKeys' | 'removeKeys' | 'resetKeys'>;
}

// The token's value never appears in a refusal: zod's messages here name the field, not its value.
const KeepCardTokenRequestSchema = z.strictObject({
  operation: z.literal('keep'),
  orderId: idSchema('order'),
  token: z.string().regex(CARD_TOKEN_PATTERN, { error: 'must be a card token' }),
});

/**
 * The card vault API of `contracts/card-vault.ts`, invoked by the orders context as it places an
 * order: keeps the card token for the order's charge. A request it does not take is answered
 * `rejected`; a failing table is thrown (a function error), and the caller may repeat the request.
 */
export function makeHandler(
  deps: CardVaultHandlerDependencies,
): (event: unknown) => Promise<KeepCardTokenAnswer> {
  const { cardVault, logger } = deps;
  return async (event) => {
    const parsed = KeepCardTokenRequestSchema.safeParse(event, { error: houseStyleReasons });
    if (!parsed.success) {
      const { message } = validationErrorFromZod(parsed.error, 'request');
      logger.warn('A card vault request was refused: it is not one the API takes', { message });
      return { outcome: 'rejected', code: 'invalid_request', message };
    }
    const { orderId, token } = parsed.data;
    annotate({ orderId });
    return withRequestContext(
      { orderId },
      async (): Promise<KeepCardTokenAnswer> => {
        await cardVault.keep(orderId, token);
        logger.info('Card token kept for the order', {});
        return { outcome: 'kept' };
      },
      logger,
    );
  };
}
