// Kestra's key-value tasks (io.kestra.plugin.core.kv.*): Set, Get, GetKeys and Delete, on the
// runtime's KeyValueStore. The namespace defaults to the execution's, as in Kestra.
import { z } from 'zod';
import { PluginGroup } from '../../model/catalog';
import { AloftError, ErrorCode } from '../../model/errors';
import { Namespace } from '../../model/flow-schema';
import { KV_TYPES, checkKvKey, inferKvType, kvExpiry, toKvValue } from '../../model/kv';
import type { RunnableTaskDefinition, TaskContext } from '../types';

const Key = z.string().min(1);
const nsOf = (ctx: TaskContext, namespace: string | undefined): string => namespace ?? ctx.execution.namespace;

export const KvSetProperties = z.object({
  key: Key,
  value: z.unknown().refine((v) => v !== undefined, 'value is required'),
  namespace: Namespace.optional(),
  /** Kestra's default: an existing key is replaced. */
  overwrite: z.boolean().default(true),
  ttl: z.string().optional(),
  kvType: z.enum(KV_TYPES).optional(),
}).strict();
export type KvSetProperties = z.infer<typeof KvSetProperties>;

export const KvSetOutputs = z.object({}).strict();

export const kvSetTask: RunnableTaskDefinition<KvSetProperties, z.infer<typeof KvSetOutputs>> = {
  type: 'io.kestra.plugin.core.kv.Set',
  aliases: [],
  group: PluginGroup.core,
  properties: KvSetProperties,
  outputs: KvSetOutputs,
  async run(ctx, props) {
    const key = checkKvKey(props.key, { property: 'key' });
    const namespace = nsOf(ctx, props.namespace);
    const type = props.kvType ?? inferKvType(props.value);
    const value = toKvValue(type, props.value, { property: 'value' });
    const now = ctx.now();
    const expirationDate = kvExpiry(props.ttl, now, { property: 'ttl' });
    const set = await ctx.kv().set(namespace, { key, value, type, expirationDate }, { overwrite: props.overwrite, now });
    if (!set) {
      throw new AloftError(ErrorCode.CONFLICT, `key '${key}' already exists in namespace ${namespace} and overwrite is false`, { property: 'overwrite' });
    }
    ctx.logger.debug(`set key '${key}' (${type}) in namespace ${namespace}`);
    return {};
  },
};

export const KvGetProperties = z.object({
  key: Key,
  namespace: Namespace.optional(),
  errorOnMissing: z.boolean().default(false),
}).strict();
export type KvGetProperties = z.infer<typeof KvGetProperties>;

export const KvGetOutputs = z.object({ value: z.unknown() }).strict();

export const kvGetTask: RunnableTaskDefinition<KvGetProperties, z.infer<typeof KvGetOutputs>> = {
  type: 'io.kestra.plugin.core.kv.Get',
  aliases: [],
  group: PluginGroup.core,
  properties: KvGetProperties,
  outputs: KvGetOutputs,
  pure: true,
  async run(ctx, props) {
    const key = checkKvKey(props.key, { property: 'key' });
    const namespace = nsOf(ctx, props.namespace);
    const entry = await ctx.kv().get(namespace, key, ctx.now());
    if (!entry && props.errorOnMissing) {
      throw new AloftError(ErrorCode.NOT_FOUND, `key '${key}' does not exist in namespace ${namespace}`, { property: 'key' });
    }
    return { value: entry ? entry.value : null };
  },
};

export const KvGetKeysProperties = z.object({
  prefix: z.string().optional(),
  namespace: Namespace.optional(),
}).strict();
export type KvGetKeysProperties = z.infer<typeof KvGetKeysProperties>;

export const KvGetKeysOutputs = z.object({ keys: z.array(z.string()) }).strict();

export const kvGetKeysTask: RunnableTaskDefinition<KvGetKeysProperties, z.infer<typeof KvGetKeysOutputs>> = {
  type: 'io.kestra.plugin.core.kv.GetKeys',
  aliases: [],
  group: PluginGroup.core,
  properties: KvGetKeysProperties,
  outputs: KvGetKeysOutputs,
  pure: true,
  async run(ctx, props) {
    const keys = await ctx.kv().listKeys(nsOf(ctx, props.namespace), ctx.now(), props.prefix);
    return { keys: keys.map((k) => k.key) };
  },
};

export const KvDeleteProperties = z.object({
  key: Key,
  namespace: Namespace.optional(),
  errorOnMissing: z.boolean().default(false),
}).strict();
export type KvDeleteProperties = z.infer<typeof KvDeleteProperties>;

export const KvDeleteOutputs = z.object({ deleted: z.boolean() }).strict();

export const kvDeleteTask: RunnableTaskDefinition<KvDeleteProperties, z.infer<typeof KvDeleteOutputs>> = {
  type: 'io.kestra.plugin.core.kv.Delete',
  aliases: [],
  group: PluginGroup.core,
  properties: KvDeleteProperties,
  outputs: KvDeleteOutputs,
  async run(ctx, props) {
    const key = checkKvKey(props.key, { property: 'key' });
    const namespace = nsOf(ctx, props.namespace);
    const deleted = await ctx.kv().delete(namespace, key, ctx.now());
    if (!deleted && props.errorOnMissing) {
      throw new AloftError(ErrorCode.NOT_FOUND, `key '${key}' does not exist in namespace ${namespace}`, { property: 'key' });
    }
    return { deleted };
  },
};

export const kvTasks: readonly RunnableTaskDefinition[] = [kvSetTask, kvGetTask, kvGetKeysTask, kvDeleteTask];
