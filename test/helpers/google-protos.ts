// Loads the gRPC service definitions from the .proto files that the Google client packages ship
// (@google-cloud/aiplatform, @google-cloud/logging-api), so that the loopback fakes speak exactly the
// wire protocol the real clients speak.
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const protosOf = (pkg: string): string => join(dirname(require.resolve(`${pkg}/package.json`)), 'build', 'protos');

/** Every folder a shipped proto may import from. */
export function protoIncludeDirs(): string[] {
  // google-gax ships the common protos (google/api, google/rpc, google/logging/type...).
  const gax = join(dirname(require.resolve('google-gax')), '..', 'protos');
  return [protosOf('@google-cloud/aiplatform'), protosOf('@google-cloud/logging-api'), gax];
}

/** The package object of the given proto files (paths relative to an include dir). */
export function loadProtos(files: string[]): grpc.GrpcObject {
  const definition = protoLoader.loadSync(files, {
    includeDirs: protoIncludeDirs(), keepCase: false, longs: String, enums: String, defaults: true, oneofs: true,
  });
  return grpc.loadPackageDefinition(definition);
}

/** Starts a gRPC server on a free loopback port; returns it with its host:port. */
export async function startGrpcServer(add: (server: grpc.Server) => void): Promise<{ server: grpc.Server; endpoint: string }> {
  const server = new grpc.Server();
  add(server);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p)));
  });
  return { server, endpoint: `127.0.0.1:${port}` };
}

/** Stops a server, cutting open streams. */
export function stopGrpcServer(server: grpc.Server): Promise<void> {
  return new Promise((resolve) => {
    server.tryShutdown(() => resolve());
    // Open streams (a tail nobody ended) would hold tryShutdown forever.
    setImmediate(() => server.forceShutdown());
  });
}

/** A gRPC error with a status code, as a handler's callback takes it. */
export function grpcError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(details), { code, details, metadata: new grpc.Metadata() }) as grpc.ServiceError;
}
