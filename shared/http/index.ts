export type { ApiGatewayProxyEvent, ApiGatewayProxyResult, LambdaContext } from './api-gateway-proxy';
export { GROUPS_CLAIM, STAFF_GROUP, USER_ID_CLAIM, callerOf, groupsOf, staffOnly } from './caller';
export {
  CORRELATION_ID_HEADER,
  MAX_CORRELATION_ID_LENGTH,
  REQUEST_ID_HEADER,
  correlationIdOf,
} from './correlation-id';
export {
  HTTP_STATUS_BY_ERROR_KIND,
  INTERNAL_ERROR_CODE,
  INTERNAL_ERROR_MESSAGE,
  errorResponse,
  type ErrorBody,
  type ErrorResponse,
} from './error-response';
export {
  httpHandler,
  platformErrorResult,
  type HttpErrorContext,
  type HttpErrorMapping,
  type HttpHandlerOptions,
  type HttpInterceptor,
  type HttpInvocation,
  type HttpRequest,
  type HttpResponse,
  type HttpResult,
  type ProxyHandler,
} from './http-handler';
export { headerValues, lowercaseHeaders } from './http-headers';
export { idSchema } from './id-schema';
export {
  DEFAULT_MAX_BODY_BYTES,
  MALFORMED_JSON,
  isJsonContentType,
  parseJsonBody,
  readJsonBody,
  type JsonBodyOptions,
} from './parse-json-body';
export { parseWithSchema } from './parse-with-schema';
export { isPrintableHeaderValue } from './printable-header-value';
export { assertStrictSchema } from './strict-schema';
export { displayPath, houseStyleReasons, validationErrorFromZod } from './validation-error-from-zod';
export { urlUnder } from './url-under';
