/**
 * How a deployment's traffic hooks smoke-test a function, by what reaches it (declared with each
 * function delivered blue/green, read by the hooks from their environment).
 * - `api-request`: an API Gateway request no route answers with a success, and none may answer with a
 *   server error (routes behind the authorizer answer 401, open ones 4xx).
 * - `empty-batch`: a queue's or a stream's event with no records: the handler runs, and must report no
 *   failed item.
 * - `startup-probe`: for functions no harmless event reaches (saga steps, triggers, scheduled jobs): the
 *   start-up probe in Lambda's client context, answered once the version's dependencies are built
 *   (`shared/aws/startup-probe.ts`).
 */
export const SMOKE_REQUESTS = ['api-request', 'empty-batch', 'startup-probe'] as const;

export type SmokeRequest = (typeof SMOKE_REQUESTS)[number];

/** The hooks' environment variable: JSON `[functionName, SmokeRequest][]`, one pair per function. */
export const TRAFFIC_HOOK_SMOKE_REQUESTS_ENV = 'TRAFFIC_HOOK_SMOKE_REQUESTS';
