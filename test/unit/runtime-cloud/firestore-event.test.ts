import { decodeDocumentEventData, decodeInboxWrite, documentPath, plainValue } from '../../../lib/runtime/cloud/firestore-event';

// Bodies the Firestore emulator (cloud-firestore-emulator with --functions_emulator) posted for a
// create, an update (consumed: false -> true) and a delete of px_executions/e1/inbox/k1 in project probe-p.
const CREATED = 'CoQBCkhwcm9qZWN0cy9wcm9iZS1wL2RhdGFiYXNlcy8oZGVmYXVsdCkvZG9jdW1lbnRzL3B4X2V4ZWN1dGlvbnMvZTEvaW5ib3gvazESDgoIY29uc3VtZWQSAggAEgwKA2tleRIFigECazEaDAi/+pjYBhDAw+rhAiIMCL/6mNgGEMDD6uECGgA=';
const UPDATED = 'CoQBCkhwcm9qZWN0cy9wcm9iZS1wL2RhdGFiYXNlcy8oZGVmYXVsdCkvZG9jdW1lbnRzL3B4X2V4ZWN1dGlvbnMvZTEvaW5ib3gvazESDAoDa2V5EgWKAQJrMRIOCghjb25zdW1lZBICCAEaDAi/+pjYBhDAw+rhAiIMCMD6mNgGELCIlMEDEoQBCkhwcm9qZWN0cy9wcm9iZS1wL2RhdGFiYXNlcy8oZGVmYXVsdCkvZG9jdW1lbnRzL3B4X2V4ZWN1dGlvbnMvZTEvaW5ib3gvazESDgoIY29uc3VtZWQSAggAEgwKA2tleRIFigECazEaDAi/+pjYBhDAw+rhAiIMCL/6mNgGEMDD6uECGgA=';
const DELETED = 'EoQBCkhwcm9qZWN0cy9wcm9iZS1wL2RhdGFiYXNlcy8oZGVmYXVsdCkvZG9jdW1lbnRzL3B4X2V4ZWN1dGlvbnMvZTEvaW5ib3gvazESDAoDa2V5EgWKAQJrMRIOCghjb25zdW1lZBICCAEaDAi/+pjYBhDAw+rhAiIMCMD6mNgGELCIlMEDGgA=';
const NAME = 'projects/probe-p/databases/(default)/documents/px_executions/e1/inbox/k1';

// The emulator's CloudEvent attributes, as functions-framework hands them over (ce- prefix dropped).
const emulatorEvent = (data: unknown) => ({
  specversion: '1.0', id: 'd01ab84d', type: 'google.cloud.firestore.document.v1.written',
  source: '//firestore.googleapis.com/projects/projects/probe-p/databases/(default)',
  subject: 'documents/px_executions/e1/inbox/k1', time: '2026-11-25T01:43:27Z', datacontenttype: 'application/protobuf',
  database: '(default)', namespace: '(default)', document: 'px_executions/e1/inbox/k1', data,
});

describe('decodeDocumentEventData', () => {
  it('decodes the base64 text the emulator sends, as a Buffer from functions-framework', () => {
    const decoded = decodeDocumentEventData(Buffer.from(CREATED, 'utf8'));
    expect(decoded.value).toMatchObject({ name: NAME, fields: { consumed: false, key: 'k1' } });
    expect(decoded.value?.createTime).toMatch(/^2026-11-25T01:43:27\.\d{3}Z$/);
    expect(decoded.oldValue).toBeUndefined();
    expect(decoded.updateMask).toEqual([]);
  });

  it('decodes the raw protobuf bytes Eventarc sends', () => {
    const decoded = decodeDocumentEventData(Buffer.from(UPDATED, 'base64'));
    expect(decoded.value?.fields).toEqual({ consumed: true, key: 'k1' });
    expect(decoded.oldValue?.fields).toEqual({ consumed: false, key: 'k1' });
  });

  it('decodes base64 given as a string and the JSON form of the message', () => {
    expect(decodeDocumentEventData(DELETED).oldValue?.name).toBe(NAME);
    const json = decodeDocumentEventData({
      value: { name: NAME, fields: { n: { integerValue: '42' }, m: { mapValue: { fields: { a: { arrayValue: { values: [{ stringValue: 'x' }, { nullValue: null }] } } } } } } },
      updateMask: { fieldPaths: ['n'] },
    });
    expect(json).toEqual({ value: { name: NAME, fields: { n: 42, m: { a: ['x', null] } } }, updateMask: ['n'] });
  });

  it('rejects data that is neither protobuf nor JSON as MESSAGE_INVALID', () => {
    expect(() => decodeDocumentEventData(undefined)).toThrow(expect.objectContaining({ code: 'MESSAGE_INVALID' }));
    expect(() => decodeDocumentEventData(Buffer.from([0x0a, 0xff, 0xff, 0xff]))).toThrow(expect.objectContaining({ code: 'MESSAGE_INVALID' }));
  });
});

describe('decodeInboxWrite', () => {
  it('names the execution and event of a created inbox document, despite the doubled projects/ in ce-source', () => {
    expect(decodeInboxWrite(emulatorEvent(Buffer.from(CREATED)), 'px_')).toEqual({
      executionId: 'e1', eventKey: 'k1', key: 'k1', change: 'created', consumed: false, alone: false, eventId: 'd01ab84d',
    });
  });

  it('tells the executor that an update marking the event consumed carries nothing new', () => {
    expect(decodeInboxWrite(emulatorEvent(Buffer.from(UPDATED)), 'px_')).toMatchObject({ change: 'updated', consumed: true });
    expect(decodeInboxWrite(emulatorEvent(Buffer.from(DELETED)), 'px_')).toMatchObject({ change: 'deleted', consumed: false });
  });

  it('falls back to ce-subject when the data names no document', () => {
    expect(decodeInboxWrite({ ...emulatorEvent({}), subject: 'documents/executions/ab/inbox/result%3Ax' })).toMatchObject({ executionId: 'ab', eventKey: 'result:x' });
  });

  it('refuses documents outside the inbox of the configured collection prefix', () => {
    expect(() => decodeInboxWrite(emulatorEvent(Buffer.from(CREATED)), '')).toThrow(/not an inbox document under executions/);
    expect(() => decodeInboxWrite({ ...emulatorEvent({}), subject: 'documents/executions/e1' })).toThrow(expect.objectContaining({ code: 'MESSAGE_INVALID' }));
    expect(() => decodeInboxWrite('not an event')).toThrow(expect.objectContaining({ code: 'MESSAGE_INVALID' }));
  });
});

describe('document helpers', () => {
  it('strip the database prefix from a document name', () => {
    expect(documentPath(NAME)).toBe('px_executions/e1/inbox/k1');
    expect(documentPath('documents/a/b')).toBe('a/b');
  });

  it('turn timestamps into ISO dates and leave unknown shapes undefined', () => {
    expect(plainValue({ timestampValue: { seconds: '1', nanos: 5_000_000 } })).toBe('1970-01-01T00:00:01.005Z');
    expect(plainValue({ somethingElse: 1 })).toBeUndefined();
  });
});
