import { DependencyUnavailableError } from '../errors/app-error';
import type { AppLogger } from '../observability/app-logger';
import type { InstanceDirectory, ServiceName } from './instance-directory';
import { weightedOrder, type ServiceInstance } from './service-instance';

export interface DiscoveredServiceProps {
  readonly name: ServiceName;
  readonly directory: InstanceDirectory;
  /**
   * How long a discovery answer is used before the registry is asked again. Cloud Map throttles
   * `DiscoverInstances` per account; a container calling a service many times a second asks once per
   * period. A health change reaches the callers within it. @default 10 000
   */
  readonly cacheTtlMs?: number;
  readonly logger: AppLogger;
  /** Told of every call to the registry, e.g. to count them. */
  readonly onDiscovery?: (outcome: 'found' | 'failed') => void;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default Math.random */
  readonly random?: () => number;
}

/**
 * Client-side discovery of one service: its healthy instances from the registry, kept for a time, and
 * the last set that was found (last known good) when the registry fails or finds none — an outage of
 * the registry must not become an outage of every service it lists. Each call gets the instances in a
 * weighted random order: the first to call, the rest to fail over to.
 */
export class DiscoveredService {
  private cached: { readonly instances: readonly ServiceInstance[]; readonly until: number } | undefined;
  private lastKnownGood: readonly ServiceInstance[] | undefined;
  private inFlight: Promise<readonly ServiceInstance[]> | undefined;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly props: DiscoveredServiceProps) {
    this.ttlMs = props.cacheTtlMs ?? 10_000;
    this.now = props.now ?? Date.now;
    this.random = props.random ?? Math.random;
  }

  /** The service's instances, in the order to try them; `DependencyUnavailableError` when none is known. */
  async candidates(): Promise<readonly ServiceInstance[]> {
    return weightedOrder(await this.instances(), this.random);
  }

  /** Forgets the cached answer (not the last known good), e.g. after every instance failed a call. */
  refresh(): void {
    this.cached = undefined;
  }

  private async instances(): Promise<readonly ServiceInstance[]> {
    if (this.cached !== undefined && this.now() < this.cached.until) return this.cached.instances;
    // Concurrent calls of one container share one registry call.
    this.inFlight ??= this.discover().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async discover(): Promise<readonly ServiceInstance[]> {
    const { namespace, service } = this.props.name;
    let found: readonly ServiceInstance[] | undefined;
    let failure: unknown;
    try {
      found = await this.props.directory.discover(this.props.name);
      this.props.onDiscovery?.('found');
    } catch (error) {
      failure = error;
      this.props.onDiscovery?.('failed');
    }
    if (found !== undefined && found.length > 0) {
      this.lastKnownGood = found;
      this.cached = { instances: found, until: this.now() + this.ttlMs };
      return found;
    }
    if (this.lastKnownGood !== undefined) {
      this.props.logger.warn('Discovery found no healthy instance; using the last ones found', {
        namespace,
        service,
        error: failure,
      });
      // Kept for a period too: a failing registry is not asked on every call.
      this.cached = { instances: this.lastKnownGood, until: this.now() + this.ttlMs };
      return this.lastKnownGood;
    }
    throw new DependencyUnavailableError(
      service,
      `No instance of ${service} could be discovered in ${namespace}.`,
      failure === undefined ? { retryAfterSeconds: 1 } : { cause: failure, retryAfterSeconds: 1 },
    );
  }
}
