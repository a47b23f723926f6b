/**
 * Where the repository's .proto files are, for the peer transport and the
 * gRPC client front. A module of its own: the peer transport needs the path
 * at every member's start-up, the client front (and its imports) only when
 * a grpcPort is configured.
 */
import { fileURLToPath } from 'node:url';

/** The repository's proto/ directory (dist/proto-root.js → ../../../proto). */
export const protoRoot: string = fileURLToPath(new URL('../../../proto', import.meta.url));
