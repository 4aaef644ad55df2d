// The runnable task types of the `serdes` plugin group: JSON, CSV and Avro to and from row files.
import type { RunnableTaskDefinition } from '../types';
import { avroReader, avroWriter } from './avro';
import { csvReader, csvWriter } from './csv';
import { jsonReader, jsonWriter } from './json';

export const serdesTasks: readonly RunnableTaskDefinition[] = [jsonReader, jsonWriter, csvReader, csvWriter, avroReader, avroWriter];
