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

  it('describes the body of every success answer: JSON from the route\'s zod schema, or a file or event stream', () => {
    const undescribed: string[] = [];
    for (const ops of Object.values(doc.paths)) {
      for (const op of Object.values(ops)) {
        for (const [status, r] of Object.entries(op.responses as Record<string, { content?: Record<string, { schema: object }> }>)) {
          if (status === 'default' || Number(status) >= 300 || Number(status) === 204) continue;
          const json = r.content?.['application/json'];
          if (json ? Object.keys(json.schema).length === 0 : !r.content) undescribed.push(`${op.operationId} ${status}`);
        }
      }
    }
    expect(undescribed).toEqual([]);
  });

  it('closes the execution schema, so an answer with a field it does not list fails the OpenAPI test', () => {
    const schema = doc.paths['/api/v1/executions/{executionId}'].get.responses['200'].content['application/json'].schema;
    expect(schema).toMatchObject({ type: 'object', additionalProperties: false, required: expect.arrayContaining(['id', 'state', 'taskRunList']) });
    expect(doc.openapi).toBe('3.1.0');
  });

  it('marks webhooks as callable without a token', () => {
    expect(doc.paths['/api/v1/executions/webhook/{namespace}/{flowId}/{key}'].post.security).toEqual([{}, { bearerAuth: [] }]);
  });
});
