// The runnable task types of the `jdbc` plugin group: Query and Batch for every Kestra 0.4 JDBC plugin.
import type { RunnableTaskDefinition } from '../types';
import { runBatch } from './batch';
import { Vendor } from './jdbc-url';
import { BatchOutputs, QueryOutputs, batchPropertiesFor, queryPropertiesFor, type BatchProperties } from './properties';
import type { QueryProperties } from './properties';
import { runQuery } from './query';

export const JDBC_VENDORS: readonly Vendor[] = Object.values(Vendor);

function queryTask(vendor: Vendor): RunnableTaskDefinition<QueryProperties, QueryOutputs> {
  return {
    type: `io.kestra.plugin.jdbc.${vendor}.Query`,
    aliases: [],
    group: 'jdbc',
    properties: queryPropertiesFor(vendor),
    outputs: QueryOutputs,
    // MySQL renders `sql` itself, with `inputFile` set to the downloaded file (LOAD DATA LOCAL INFILE).
    ...(vendor === 'mysql' ? { lazyProperties: ['sql'] } : {}),
    run: (ctx, props) => runQuery(ctx, vendor, props),
  };
}

function batchTask(vendor: Vendor): RunnableTaskDefinition<BatchProperties, BatchOutputs> {
  return {
    type: `io.kestra.plugin.jdbc.${vendor}.Batch`,
    aliases: [],
    group: 'jdbc',
    properties: batchPropertiesFor(vendor),
    outputs: BatchOutputs,
    run: (ctx, props) => runBatch(ctx, vendor, props),
  };
}

export const jdbcTasks: readonly RunnableTaskDefinition[] = JDBC_VENDORS.flatMap((v) => [queryTask(v), batchTask(v)]);
