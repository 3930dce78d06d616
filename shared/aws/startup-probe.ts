/**
 * The start-up probe of a deployment's traffic hook, for functions no harmless event reaches (saga
 * steps, Cognito triggers, scheduled jobs, functions other contexts invoke): the hook invokes the new
 * version with the probe in Lambda's `ClientContext`, which no event source sets, and the version
 * answers `{ ready: true }` once its module and its dependencies have loaded — without running the
 * handler. A version that cannot start (a bundle that does not load, a configuration that does not
 * parse) fails the probe, and never takes traffic.
 */

/** The key of `ClientContext.custom` the probe sets. */
export const STARTUP_PROBE_KEY = 'startupProbe';

/** What a version that started answers the probe with. */
export interface StartupProbeAnswer {
  readonly ready: true;
}

/** `ClientContext` of an `Invoke` that probes the version: base64 JSON, as Lambda takes it. */
export function startupProbeClientContext(): string {
  return Buffer.from(JSON.stringify({ custom: { [STARTUP_PROBE_KEY]: true } })).toString('base64');
}

/** Lambda hands the client context through as it was sent; mobile SDKs' older shape says `Custom`. */
interface ProbedContext {
  readonly clientContext?: unknown;
}

function isStartupProbe(context: unknown): boolean {
  const clientContext = (context as ProbedContext | undefined)?.clientContext;
  if (typeof clientContext !== 'object' || clientContext === null) return false;
  const custom: unknown =
    'custom' in clientContext
      ? clientContext.custom
      : 'Custom' in clientContext
        ? clientContext.Custom
        : undefined;
  return typeof custom === 'object' && custom !== null && STARTUP_PROBE_KEY in custom;
}

/**
 * `handler`, answering the start-up probe itself. Wrapped around the handler in its Lambda entry, after
 * the composition root has run: the probe is answered only by a version whose dependencies were built.
 */
export function answeringStartupProbe<E, C, R>(
  handler: (event: E, context: C) => Promise<R>,
): (event: E, context: C) => Promise<R | StartupProbeAnswer> {
  return async (event, context) => (isStartupProbe(context) ? { ready: true } : handler(event, context));
}
