import { CfnDeletionPolicy, type IAspect, RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { IConstruct } from 'constructs';
import { DeadLetterQueue } from '../constructs/dead-letter-queue';

/**
 * What a production app keeps when a stack, or a resource, is deleted by mistake (the app adds it in
 * `prod`, `infra/app.ts`):
 * - every `DeadLetterQueue` — the dead-letter and parked-saga queues, and the messages an operator has
 *   yet to redrive — is retained;
 * - every table already retained (the records of the system: event stores, context tables, payments)
 *   also gets DynamoDB's deletion protection, so that not even a direct `DeleteTable` removes it.
 * Elsewhere (`local`, `dev`), a destroyed stack leaves no queue behind.
 */
export class ProductionSafeguards implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof DeadLetterQueue) {
      node.applyRemovalPolicy(RemovalPolicy.RETAIN);
    } else if (
      node instanceof dynamodb.CfnTable &&
      node.cfnOptions.deletionPolicy === CfnDeletionPolicy.RETAIN
    ) {
      node.deletionProtectionEnabled = true;
    }
  }
}
