import type { ServiceInstance } from './service-instance';

/** A service's name in a registry's namespace. */
export interface ServiceName {
  readonly namespace: string;
  readonly service: string;
}

/** The registry's port: the healthy instances of a service (AWS Cloud Map's `DiscoverInstances`). */
export interface InstanceDirectory {
  discover(name: ServiceName): Promise<readonly ServiceInstance[]>;
}
