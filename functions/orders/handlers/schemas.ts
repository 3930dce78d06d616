import * as z from 'zod';
import { idSchema } from '../../../shared/http';

/** `{orderId}` of every order route: a malformed id is a 400, never a 404. */
export const OrderPath = z.strictObject({ orderId: idSchema('order') });
