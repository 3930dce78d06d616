export { CloudMapDirectory } from './cloud-map-directory';
export { DiscoveredService, type DiscoveredServiceProps } from './discovered-service';
export { callWithFailover, type FailoverOptions } from './failover';
export type { InstanceDirectory, ServiceName } from './instance-directory';
export {
  INSTANCE_ATTRIBUTES,
  instanceFromAttributes,
  weightedOrder,
  type ServiceInstance,
} from './service-instance';
