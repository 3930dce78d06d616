export {
  IdempotencyInProgressError,
  IdempotencyKeyInvalidError,
  IdempotencyKeyMissingError,
  IdempotencyKeyReusedError,
} from './errors';
export {
  DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
  DEFAULT_IN_PROGRESS_TIMEOUT_MS,
  IDEMPOTENT_REPLAYED_HEADER,
  httpIdempotency,
  type HttpIdempotencyOptions,
} from './http-idempotency';
export {
  IDEMPOTENCY_KEY_HEADER,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  readIdempotencyKey,
  requiredIdempotencyKey,
} from './idempotency-key';
export { isEventAlreadyProcessed, processedEventKey } from './processed-event-marker';
