// The key-value store, as Kestra's /api/v1/namespaces/{namespace}/kv routes.
import { AloftError, ErrorCode } from '../../model/errors';
import { Access } from '../auth';
import { readBody } from '../http';
import type { KvService } from '../kv-service';
import type { Ctx, Route } from '../route';
import { KvDeleted, KvList, KvValue } from '../response-schemas';

function kv(cx: Ctx): KvService {
  if (!cx.service.kv) throw new AloftError(ErrorCode.NOT_SUPPORTED, 'this server has no key-value store');
  return cx.service.kv;
}

const PATH = '/api/v1/namespaces/{namespace}/kv';
const TAG = 'KV';

export const kvRoutes: Route[] = [
  {
    method: 'GET', path: PATH, operationId: 'listKeys', reply: KvList, tag: TAG, access: Access.READ,
    summary: 'The live keys of a namespace, sorted, without their values',
    responses: { 200: 'key, description, creationDate, updateDate, expirationDate of each key', 400: 'not a namespace name' },
    handle: async (cx) => ({ status: 200, json: await kv(cx).list(cx.params.namespace) }),
  },
  {
    method: 'GET', path: `${PATH}/{key}`, operationId: 'getKeyValue', reply: KvValue, tag: TAG, access: Access.READ,
    summary: 'The value of a key, with its type',
    responses: { 200: '`{ type, value }`', 400: 'not a namespace name or key', 404: 'no such key (or it expired)' },
    handle: async (cx) => ({ status: 200, json: await kv(cx).get(cx.params.namespace, cx.params.key) }),
  },
  {
    method: 'PUT', path: `${PATH}/{key}`, operationId: 'setKeyValue', tag: TAG, access: Access.WRITE,
    summary: 'Set a key: the body is its value as text (JSON, ISO date, date-time or duration, else a string); a `ttl` header (ISO-8601 duration) makes it expire',
    body: { 'text/plain': 'text', 'application/json': 'text' },
    responses: { 204: 'stored', 400: 'not a namespace name, key or ttl', 413: 'the body is larger than the body limit' },
    async handle(cx) {
      const body = (await readBody(cx.req, cx.limits.bodyBytes)).toString('utf8');
      const ttl = cx.req.headers.ttl;
      await kv(cx).set(cx.params.namespace, cx.params.key, body, Array.isArray(ttl) ? ttl[0] : ttl);
      return { status: 204 };
    },
  },
  {
    method: 'DELETE', path: `${PATH}/{key}`, operationId: 'deleteKeyValue', reply: KvDeleted, tag: TAG, access: Access.WRITE,
    summary: 'Delete a key; answers whether there was one',
    responses: { 200: '`true` when the key existed, else `false`', 400: 'not a namespace name or key' },
    handle: async (cx) => ({ status: 200, json: await kv(cx).delete(cx.params.namespace, cx.params.key) }),
  },
];
