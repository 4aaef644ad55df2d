// The BigQuery task types of the `gcp` plugin group (io.kestra.plugin.gcp.bigquery.*).
import { z } from 'zod';
import type { RunnableTaskDefinition } from '../../types';
import { runLoad } from './load';
import {
  CreateTableProperties, DatasetOutputs, DatasetProperties, DeleteDatasetOutputs, DeleteDatasetProperties, DeleteTableOutputs,
  DeleteTableProperties, LoadOutputs, LoadProperties, QueryOutputs, QueryProperties, TableMetadataProperties, TableOutputs,
} from './properties';
import { runQuery } from './query';
import { createDataset, createTable, deleteDataset, deleteTable, tableMetadata } from './tables';

const PREFIX = 'io.kestra.plugin.gcp.bigquery';

function task<P, O>(name: string, properties: z.ZodType<P>, outputs: z.ZodType<O>, run: RunnableTaskDefinition<P, O>['run']): RunnableTaskDefinition<P, O> {
  return { type: `${PREFIX}.${name}`, aliases: [], group: 'gcp', properties, outputs, run };
}

export const bigqueryTasks: readonly RunnableTaskDefinition[] = [
  task('Query', QueryProperties, QueryOutputs, (ctx, p, c) => runQuery(ctx, p, c)),
  task('Load', LoadProperties, LoadOutputs, (ctx, p, c) => runLoad(ctx, p, c)),
  task('CreateDataset', DatasetProperties, DatasetOutputs, (ctx, p) => createDataset(ctx, p)),
  task('DeleteDataset', DeleteDatasetProperties, DeleteDatasetOutputs, (ctx, p) => deleteDataset(ctx, p)),
  task('CreateTable', CreateTableProperties, TableOutputs, (ctx, p) => createTable(ctx, p)),
  task('TableMetadata', TableMetadataProperties, TableOutputs, (ctx, p) => tableMetadata(ctx, p)),
  task('DeleteTable', DeleteTableProperties, DeleteTableOutputs, (ctx, p) => deleteTable(ctx, p)),
];
