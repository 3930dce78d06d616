import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { definedProps } from '../../shared/objects/defined-props';

/** The keys of every context table: one table per context, its items laid out by `pk` and `sk`. */
export const CONTEXT_TABLE_PARTITION_KEY = 'pk';
export const CONTEXT_TABLE_SORT_KEY = 'sk';

export interface ContextTableProps {
  /**
   * The stream the context's outbox relay reads, for a context that publishes its events from this
   * table. @default - no stream
   */
  readonly stream?: dynamodb.StreamViewType;
  /** The attribute whose epoch seconds expire an item (e.g. relayed event items). @default - none */
  readonly timeToLiveAttribute?: string;
}

/**
 * What a bounded context owns, in one table of its own: `pk` (S) and `sk` (S), on demand, point-in-time
 * recovery on, and retained when the stack goes (it holds the context's state: users, stock, money).
 * The item layout is each context's (`functions/<context>/adapters/*-items.ts`).
 *
 * It is a `Table` itself, not a wrapper, so a stack that made this table inline under the same id keeps
 * its logical id, and its data, when it switches to this construct.
 */
export class ContextTable extends dynamodb.Table {
  constructor(scope: Construct, id: string, props: ContextTableProps = {}) {
    super(scope, id, {
      partitionKey: { name: CONTEXT_TABLE_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: CONTEXT_TABLE_SORT_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
      ...definedProps({ stream: props.stream }),
      ...definedProps({ timeToLiveAttribute: props.timeToLiveAttribute }),
    });
  }
}
