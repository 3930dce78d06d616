import * as z from 'zod';

/**
 * The synthetic customer of the after-traffic check (`SyntheticOrderCheck`): an SSM `SecureString`
 * parameter, written by `infra/ops/synthetic-check.ts`, that says where the shop answers and who to
 * sign in as. Its order — one unit of its own product, paid from its own empty account — is declined
 * by accounts and cancelled by the saga: no money moves, and the unit reserved is released.
 */
export const SYNTHETIC_CHECK_PARAMETER_NAME = '/shop/synthetic-check';

export const SyntheticCheckSettingsSchema = z.strictObject({
  /** The API's stage URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod/`. */
  apiUrl: z.url({ protocol: /^https?$/ }),
  /** The user pool's app client, with `USER_PASSWORD_AUTH`. */
  clientId: z.string().min(1),
  email: z.email(),
  password: z.string().min(1),
  productId: z.string().min(1),
  accountId: z.string().min(1),
});

export type SyntheticCheckSettings = z.infer<typeof SyntheticCheckSettingsSchema>;
