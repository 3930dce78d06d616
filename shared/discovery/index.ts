export { CloudMapDirectory } from './cloud-map-directory';
export { cloudMapService, DISCOVERY_METRICS } from './cloud-map-service';
export { DiscoveredService, type DiscoveredServiceProps } from './discovered-service';
export { callWithFailover, type FailoverOptions } from './failover';
export type { InstanceDirectory, ServiceName } from './instance-directory';
export {
  INSTANCE_ATTRIBUTES,
  instanceFromAttributes,
  instanceSource,
  type InstanceSourceOptions,
  weightedOrder,
  type ServiceInstance,
} from './service-instance';
