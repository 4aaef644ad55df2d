// GCP configuration from an injected environment.
import { gcpConfigFromEnv } from '../../../lib/model/gcp-config';

describe('gcpConfigFromEnv', () => {
  it('reads the project, emulator hosts, bucket and prefixes', () => {
    const c = gcpConfigFromEnv({
      GOOGLE_CLOUD_PROJECT: 'p1', FIRESTORE_EMULATOR_HOST: '127.0.0.1:8080', PUBSUB_EMULATOR_HOST: '127.0.0.1:8085',
      STORAGE_EMULATOR_HOST: 'http://127.0.0.1:9199', ALOFT_BUCKET: 'my-bucket', ALOFT_STORAGE_PREFIX: 'internal', ALOFT_COLLECTION_PREFIX: 'dev_',
      ALOFT_TOPIC_PREFIX: 'dev-',
    });
    expect(c).toMatchObject({
      projectId: 'p1', firestoreDatabase: '(default)', firestoreEmulatorHost: '127.0.0.1:8080', pubsubEmulatorHost: '127.0.0.1:8085',
      storageEmulatorHost: 'http://127.0.0.1:9199', bucket: 'my-bucket', storagePrefix: 'internal', collectionPrefix: 'dev_', topicPrefix: 'dev-',
      secretManagerEndpoint: 'https://secretmanager.googleapis.com',
    });
  });

  it('accepts GCLOUD_PROJECT and lets overrides win', () => {
    expect(gcpConfigFromEnv({ GCLOUD_PROJECT: 'old' }, { collectionPrefix: 't1_' })).toMatchObject({ projectId: 'old', collectionPrefix: 't1_' });
  });

  it('treats empty emulator variables as unset', () => {
    expect(gcpConfigFromEnv({ GOOGLE_CLOUD_PROJECT: 'p', FIRESTORE_EMULATOR_HOST: '' }).firestoreEmulatorHost).toBeUndefined();
  });

  it('fails with CONFIG_INVALID naming what is missing or wrong', () => {
    expect(() => gcpConfigFromEnv({})).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('projectId') }));
    expect(() => gcpConfigFromEnv({ GOOGLE_CLOUD_PROJECT: 'p', ALOFT_STORAGE_PREFIX: '/abs/' })).toThrow(/storagePrefix/);
  });
});
