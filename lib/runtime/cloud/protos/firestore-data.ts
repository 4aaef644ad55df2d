// The messages of google/events/cloud/firestore/v1/data.proto (googleapis/google-cloudevents), as
// protobufjs reflection JSON: the payload of `google.cloud.firestore.document.v1.*` CloudEvents.
// Written out here because no installed package ships that .proto; only what decoding needs is kept:
// DocumentEventData { value, old_value, update_mask }, Document { name, fields, create_time, update_time }
// and Value with every field of its oneof (same numbers as google/firestore/v1/document.proto).

const fieldsMap = { keyType: 'string', type: 'Value' } as const;

export const FIRESTORE_DATA_PROTO = {
  nested: {
    google: {
      nested: {
        protobuf: {
          nested: {
            Timestamp: { fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } } },
            NullValue: { values: { NULL_VALUE: 0 } },
          },
        },
        type: {
          nested: {
            LatLng: { fields: { latitude: { type: 'double', id: 1 }, longitude: { type: 'double', id: 2 } } },
          },
        },
        events: {
          nested: {
            cloud: {
              nested: {
                firestore: {
                  nested: {
                    v1: {
                      nested: {
                        DocumentEventData: {
                          fields: {
                            value: { type: 'Document', id: 1 },
                            oldValue: { type: 'Document', id: 2 },
                            updateMask: { type: 'DocumentMask', id: 3 },
                          },
                        },
                        DocumentMask: { fields: { fieldPaths: { rule: 'repeated', type: 'string', id: 1 } } },
                        Document: {
                          fields: {
                            name: { type: 'string', id: 1 },
                            fields: { ...fieldsMap, id: 2 },
                            createTime: { type: 'google.protobuf.Timestamp', id: 3 },
                            updateTime: { type: 'google.protobuf.Timestamp', id: 4 },
                          },
                        },
                        Value: {
                          oneofs: {
                            valueType: {
                              oneof: ['nullValue', 'booleanValue', 'integerValue', 'doubleValue', 'timestampValue', 'stringValue',
                                'bytesValue', 'referenceValue', 'geoPointValue', 'arrayValue', 'mapValue'],
                            },
                          },
                          fields: {
                            nullValue: { type: 'google.protobuf.NullValue', id: 11 },
                            booleanValue: { type: 'bool', id: 1 },
                            integerValue: { type: 'int64', id: 2 },
                            doubleValue: { type: 'double', id: 3 },
                            timestampValue: { type: 'google.protobuf.Timestamp', id: 10 },
                            stringValue: { type: 'string', id: 17 },
                            bytesValue: { type: 'bytes', id: 18 },
                            referenceValue: { type: 'string', id: 5 },
                            geoPointValue: { type: 'google.type.LatLng', id: 8 },
                            arrayValue: { type: 'ArrayValue', id: 9 },
                            mapValue: { type: 'MapValue', id: 6 },
                          },
                        },
                        ArrayValue: { fields: { values: { rule: 'repeated', type: 'Value', id: 1 } } },
                        MapValue: { fields: { fields: { ...fieldsMap, id: 1 } } },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};
