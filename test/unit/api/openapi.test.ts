import { openApiDocument } from '../../../lib/api/openapi';
import { ROUTES } from '../../../lib/api/router';

describe('openApiDocument', () => {
  const doc = openApiDocument(ROUTES) as { openapi: string; paths: Record<string, Record<string, any>>; components: any };

  it('declares every path parameter of every operation', () => {
    for (const [path, ops] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(ops)) {
        const declared = (op.parameters ?? []).filter((p: { in: string }) => p.in === 'path').map((p: { name: string }) => p.name);
        expect(declared).toEqual(names);
      }
    }
  });

  it('has unique operation ids and an error schema for every failure', () => {
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((o) => o.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    for (const ops of Object.values(doc.paths)) for (const op of Object.values(ops)) expect(op.responses.default.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(doc.components.schemas.Error.required).toEqual(['code', 'message']);
  });

  it('describes the JSON body of an execution start from its zod schema', () => {
    const body = doc.paths['/api/v1/executions/{namespace}/{flowId}'].post.requestBody.content;
    expect(body['application/json'].schema).toMatchObject({ type: 'object', additionalProperties: false, properties: { inputs: { type: 'object' }, labels: { type: 'object' } } });
    expect(body['multipart/form-data']).toBeDefined();
  });

  it('marks webhooks as callable without a token', () => {
    expect(doc.paths['/api/v1/executions/webhook/{namespace}/{flowId}/{key}'].post.security).toEqual([{}, { bearerAuth: [] }]);
  });
});
