import { decodeListResponse, decodeTailResponse, encodeListRequest, encodeTailRequest } from '../../../../lib/plugins/gcp/vertexai/log-entries';
import { loadProtos } from '../../../helpers/google-protos';

// The messages are made and read with the real protos @google-cloud/logging-api ships (through
// proto-loader, as a server would), so that the lean codec is checked against the wire format itself.
const service = (loadProtos(['google/logging/v2/logging.proto']) as any).google.logging.v2.LoggingServiceV2.service;
const tailResponse = (msg: unknown): Buffer => service.TailLogEntries.responseSerialize(msg);
const listResponse = (msg: unknown): Buffer => service.ListLogEntries.responseSerialize(msg);

const FULL_ENTRY = {
  logName: 'projects/p/logs/workerpool0-0',
  resource: { type: 'ml_job', labels: { job_id: '1001', project_id: 'p', task_name: 'workerpool0-0' } },
  timestamp: { seconds: '1733480000', nanos: 123456789 },
  receiveTimestamp: { seconds: '1733480001', nanos: 5 },
  severity: 'WARNING',
  insertId: 'abc',
  textPayload: 'epoch 3: loss 0.25',
  labels: { 'compute.googleapis.com/resource_name': 'vm-1' },
  httpRequest: { requestMethod: 'GET', status: 200, latency: { seconds: '1', nanos: 0 } },
  operation: { id: 'op', producer: 'vertex', first: true, last: false },
  trace: 'projects/p/traces/t', spanId: 's', traceSampled: true,
  sourceLocation: { file: 'train.py', line: '42', function: 'main' },
  split: { uid: 'u', index: 0, totalSplits: 1 },
};

describe('TailLogEntries responses decoded lean', () => {
  it('keeps the id, timestamp, severity and text of each entry and skips every other field', () => {
    const buf = tailResponse({
      entries: [FULL_ENTRY, { ...FULL_ENTRY, insertId: 'abd', severity: 'EMERGENCY', textPayload: 'last', timestamp: { seconds: '1733480002', nanos: 0 } }],
      suppressionInfo: [{ reason: 'RATE_LIMIT', suppressedCount: 3 }],
    });
    expect(decodeTailResponse(buf).entries).toEqual([
      { insertId: 'abc', seconds: 1733480000, nanos: 123456789, severity: 400, message: 'epoch 3: loss 0.25' },
      { insertId: 'abd', seconds: 1733480002, nanos: 0, severity: 800, message: 'last' },
    ]);
  });

  it('reads seconds beyond 32 bits, and an entry without timestamp or severity as 0', () => {
    const buf = tailResponse({ entries: [{ insertId: 'far', timestamp: { seconds: '4102444800', nanos: 1 }, textPayload: 'x' }, { insertId: 'bare' }] });
    expect(decodeTailResponse(buf).entries).toEqual([
      { insertId: 'far', seconds: 4102444800, nanos: 1, severity: 0, message: 'x' },
      { insertId: 'bare', seconds: 0, nanos: 0, severity: 0, message: '' },
    ]);
  });

  it('takes a JSON payload\'s message field, or else the whole payload as JSON', () => {
    const struct = (fields: Record<string, unknown>) => ({ fields });
    const buf = tailResponse({
      entries: [
        { insertId: '1', jsonPayload: struct({ message: { stringValue: 'started' }, step: { numberValue: 3 } }) },
        {
          insertId: '2', jsonPayload: struct({
            step: { numberValue: 3.5 }, ok: { boolValue: true }, none: { nullValue: 'NULL_VALUE' },
            nested: { structValue: struct({ a: { stringValue: 'b' } }) }, list: { listValue: { values: [{ numberValue: 1 }, { stringValue: 'two' }] } },
          }),
        },
      ],
    });
    const [first, second] = decodeTailResponse(buf).entries;
    expect(first.message).toBe('started');
    expect(JSON.parse(second.message)).toEqual({ step: 3.5, ok: true, none: null, nested: { a: 'b' }, list: [1, 'two'] });
  });

  it('refuses a truncated message rather than reading past its end', () => {
    const buf = tailResponse({ entries: [FULL_ENTRY] });
    expect(() => decodeTailResponse(buf.subarray(0, buf.length - 7))).toThrow(RangeError);
  });
});

describe('ListLogEntries responses decoded lean', () => {
  it('reads the entries and the next page\'s token', () => {
    const buf = listResponse({ entries: [FULL_ENTRY], nextPageToken: 'page-2' });
    expect(decodeListResponse(buf)).toEqual({
      entries: [{ insertId: 'abc', seconds: 1733480000, nanos: 123456789, severity: 400, message: 'epoch 3: loss 0.25' }], nextPageToken: 'page-2',
    });
    expect(decodeListResponse(listResponse({ entries: [] }))).toEqual({ entries: [], nextPageToken: '' });
  });
});

describe('requests encoded lean', () => {
  it('a TailLogEntriesRequest reads back with the real proto', () => {
    const buf = encodeTailRequest({ resourceNames: ['projects/p', 'projects/q'], filter: 'resource.type="ml_job"' });
    expect(service.TailLogEntries.requestDeserialize(buf)).toMatchObject({ resourceNames: ['projects/p', 'projects/q'], filter: 'resource.type="ml_job"', bufferWindow: null });
  });

  it('a ListLogEntriesRequest reads back with the real proto, page token included only when given', () => {
    const req = { resourceNames: ['projects/p'], filter: 'timestamp>="2024-01-01T00:00:00.000000000Z"', orderBy: 'timestamp asc', pageSize: 1000 };
    expect(service.ListLogEntries.requestDeserialize(encodeListRequest({ ...req, pageToken: 't2' }))).toMatchObject({ ...req, pageToken: 't2' });
    expect(service.ListLogEntries.requestDeserialize(encodeListRequest(req))).toMatchObject({ ...req, pageToken: '' });
  });
});
