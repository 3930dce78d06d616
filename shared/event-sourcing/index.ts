export * from './aggregate-runner';
export * from './command-context';
export * from './decider';
export * from './domain-event';
export * from './dynamodb-event-store';
export * from './errors';
export * from './event-store';
export * from './in-memory-event-store';
