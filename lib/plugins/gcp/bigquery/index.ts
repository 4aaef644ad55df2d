// The BigQuery task types of the `gcp` plugin group (io.kestra.plugin.gcp.bigquery.*).
import { z } from 'zod';
import type { RunnableTaskDefinition } from '../../types';
import { runLoad } from './load';
import {
  CopyOutputs, CopyProperties, CreateTableProperties, DatasetOutputs, DatasetProperties, DeleteDatasetOutputs, DeleteDatasetProperties,
  DeleteTableOutputs, DeleteTableProperties, ExtractToGcsOutputs, ExtractToGcsProperties, LoadFromGcsProperties, LoadOutputs, LoadProperties,
  QueryOutputs, QueryProperties, TableMetadataProperties, TableOutputs, UpdateDatasetProperties, UpdateTableProperties,
} from './properties';
import { runQuery } from './query';
import { createDataset, createTable, deleteDataset, deleteTable, tableMetadata, updateDataset, updateTable } from './tables';
import { runCopy, runExtractToGcs, runLoadFromGcs } from './transfers';

const PREFIX = 'io.kestra.plugin.gcp.bigquery';

function task<P, O>(name: string, properties: z.ZodType<P>, outputs: z.ZodType<O>, run: RunnableTaskDefinition<P, O>['run']): RunnableTaskDefinition<P, O> {
  return { type: `${PREFIX}.${name}`, aliases: [], group: 'gcp', properties, outputs, run };
}

export const bigqueryTasks: readonly RunnableTaskDefinition[] = [
  task('Query', QueryProperties, QueryOutputs, (ctx, p, c) => runQuery(ctx, p, c)),
  task('Load', LoadProperties, LoadOutputs, (ctx, p, c) => runLoad(ctx, p, c)),
  task('LoadFromGcs', LoadFromGcsProperties, LoadOutputs, (ctx, p, c) => runLoadFromGcs(ctx, p, c)),
  task('ExtractToGcs', ExtractToGcsProperties, ExtractToGcsOutputs, (ctx, p, c) => runExtractToGcs(ctx, p, c)),
  task('Copy', CopyProperties, CopyOutputs, (ctx, p, c) => runCopy(ctx, p, c)),
  task('CreateDataset', DatasetProperties, DatasetOutputs, (ctx, p) => createDataset(ctx, p)),
  task('UpdateDataset', UpdateDatasetProperties, DatasetOutputs, (ctx, p) => updateDataset(ctx, p)),
  task('DeleteDataset', DeleteDatasetProperties, DeleteDatasetOutputs, (ctx, p) => deleteDataset(ctx, p)),
  task('CreateTable', CreateTableProperties, TableOutputs, (ctx, p) => createTable(ctx, p)),
  task('UpdateTable', UpdateTableProperties, TableOutputs, (ctx, p) => updateTable(ctx, p)),
  task('TableMetadata', TableMetadataProperties, TableOutputs, (ctx, p) => tableMetadata(ctx, p)),
  task('DeleteTable', DeleteTableProperties, DeleteTableOutputs, (ctx, p) => deleteTable(ctx, p)),
];
