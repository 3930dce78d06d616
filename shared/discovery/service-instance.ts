/**
 * What a service registers about each of its instances in the registry (AWS Cloud Map), as attributes:
 * `url` (where to call it, an API's stage URL), `healthUrl` (what the health checker probes), `zone`,
 * `weight` (its share of the traffic among the healthy instances) and `version`.
 */
export const INSTANCE_ATTRIBUTES = {
  url: 'url',
  healthUrl: 'healthUrl',
  zone: 'zone',
  weight: 'weight',
  version: 'version',
} as const;

export interface ServiceInstance {
  readonly instanceId: string;
  /** Ends with `/`, so `new URL('v1/charges', url)` keeps the stage. */
  readonly url: string;
  readonly zone?: string;
  /** 1 to 1000; an instance of weight 0 takes no traffic while others are healthy. @default 1 */
  readonly weight: number;
  readonly version?: string;
}

/** The instance its attributes describe; `undefined` (and the reason) for one without a usable `url`. */
export function instanceFromAttributes(
  instanceId: string,
  attributes: Readonly<Record<string, string | undefined>>,
): { readonly instance?: ServiceInstance; readonly problem?: string } {
  const raw = attributes[INSTANCE_ATTRIBUTES.url];
  let url: URL;
  try {
    url = new URL(raw ?? '');
  } catch {
    return { problem: `instance ${instanceId} has no http(s) url attribute` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { problem: `instance ${instanceId} has no http(s) url attribute` };
  }
  const weightText = attributes[INSTANCE_ATTRIBUTES.weight];
  const weight = weightText === undefined ? 1 : Number(weightText);
  if (!Number.isInteger(weight) || weight < 0 || weight > 1000) {
    return { problem: `instance ${instanceId} has a weight that is not a whole number from 0 to 1000` };
  }
  const href = url.href.endsWith('/') ? url.href : `${url.href}/`;
  const zone = attributes[INSTANCE_ATTRIBUTES.zone];
  const version = attributes[INSTANCE_ATTRIBUTES.version];
  return {
    instance: {
      instanceId,
      url: href,
      weight,
      ...(zone === undefined ? {} : { zone }),
      ...(version === undefined ? {} : { version }),
    },
  };
}

/**
 * The instances in the order to try them: a weighted random draw without replacement, so each
 * instance comes first in proportion to its weight, and the others follow as fail-over candidates.
 * Instances of weight 0 come last, in their order.
 */
export function weightedOrder(
  instances: readonly ServiceInstance[],
  random: () => number = Math.random,
): readonly ServiceInstance[] {
  const weighted = instances.filter((instance) => instance.weight > 0);
  const order: ServiceInstance[] = [];
  while (weighted.length > 0) {
    const total = weighted.reduce((sum, instance) => sum + instance.weight, 0);
    let draw = random() * total;
    let index = weighted.findIndex((instance) => (draw -= instance.weight) < 0);
    if (index < 0) index = weighted.length - 1;
    order.push(...weighted.splice(index, 1));
  }
  return [...order, ...instances.filter((instance) => instance.weight === 0)];
}

/** Where a client finds the service it calls: one fixed URL, or a discovered service's candidates. */
export interface InstanceSourceOptions {
  /** An API's stage URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com/prod/`. */
  readonly baseUrl?: string;
  /** The instances in the order to try them, e.g. a `DiscoveredService`'s `candidates`. */
  readonly instances?: () => Promise<readonly ServiceInstance[]>;
}

/**
 * The instances to call, from exactly one of `baseUrl` (one instance, checked now: a malformed URL is a
 * configuration error, not a failing service) and `instances`; a `RangeError` naming `what` otherwise.
 */
export function instanceSource(
  options: InstanceSourceOptions,
  what: string,
): () => Promise<readonly ServiceInstance[]> {
  if (options.instances !== undefined) {
    if (options.baseUrl !== undefined)
      throw new RangeError(`Give ${what} as baseUrl or as instances, not both.`);
    return options.instances;
  }
  if (options.baseUrl === undefined) throw new RangeError(`Give ${what} as baseUrl or as instances.`);
  const { instance, problem } = instanceFromAttributes('baseUrl', { url: options.baseUrl });
  if (instance === undefined) throw new RangeError(`baseUrl must be an http(s) URL: ${problem}`);
  const only = [instance];
  return async () => only;
}
