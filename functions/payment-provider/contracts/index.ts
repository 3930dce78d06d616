export * from './processor-api';
