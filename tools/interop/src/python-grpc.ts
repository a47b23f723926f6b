/**
 * Python gRPC stubs for Corral's client API, generated at test time (never committed)
 * with Debian's python3-grpc-tools, as a user in another language would generate them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pythonBin, repoRoot } from './paths.js';
import { describeRun, runClient } from './run-client.js';

/** The repository's .proto files (corral.v1 and grpc.health.v1). */
export const protoDir: string = join(repoRoot, 'proto');

/** The Debian packages the Python gRPC suite needs, by the module each provides. */
const pythonModules: Readonly<Record<string, string>> = { grpc: 'python3-grpcio', grpc_tools: 'python3-grpc-tools' };

/** The reflection service's own .proto, bundled with @grpc/reflection (what grpcurl speaks). */
export function reflectionProto(): string | null {
  try {
    const entry = createRequire(import.meta.url).resolve('@grpc/reflection');
    const candidate = join(dirname(dirname(entry)), 'proto', 'grpc', 'reflection', 'v1', 'reflection.proto');
    return existsSync(candidate) ? candidate : null;
  } catch {
    return null;
  }
}

/** Why the Python gRPC suite cannot run here, or false when it can. */
export function pythonGrpcMissing(): string | false {
  if (!existsSync(pythonBin)) return `${pythonBin} not installed`;
  const missing = Object.entries(pythonModules).filter(
    ([module]) => spawnSync(pythonBin, ['-c', `import ${module}`], { stdio: 'ignore' }).status !== 0,
  );
  if (missing.length > 0) return `Debian package(s) not installed: ${missing.map(([, pkg]) => pkg).join(', ')}`;
  if (reflectionProto() === null) return '@grpc/reflection proto not found in node_modules';
  return false;
}

function protoFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.proto'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * Debian 12's grpc_tools bundles protoc 3.5, which predates proto3 `optional`. An
 * `optional T x = N;` field is by definition a one-field oneof named `_x` (that is how
 * newer protoc encodes it in the descriptor), so rewriting it that way gives the same
 * wire format and the same HasField() API in the generated Python.
 */
export function withoutProto3Optional(text: string): string {
  return text.replace(/^(\s*)optional\s+(\S+)\s+(\w+)\s*=\s*(\d+);/gm, '$1oneof _$3 { $2 $3 = $4; }');
}

/**
 * Generates the stubs into `outDir`: corral/v1/*_pb2(_grpc).py, and the grpc.* protos
 * under grpc_health/ and grpc_reflection/ so they do not shadow Python's `grpc` package.
 */
export async function generatePythonStubs(outDir: string): Promise<void> {
  const reflection = reflectionProto();
  if (reflection === null) throw new Error('@grpc/reflection proto not found');
  const inDir = join(outDir, 'proto-src');
  const sources = [
    ...protoFiles(protoDir).map((file) => ({ from: file, to: relative(protoDir, file).replace(/^grpc\//, 'grpc_') })),
    { from: reflection, to: join('grpc_reflection', 'v1', 'reflection.proto') },
  ];
  for (const { from, to } of sources) {
    mkdirSync(dirname(join(inDir, to)), { recursive: true });
    writeFileSync(join(inDir, to), withoutProto3Optional(readFileSync(from, 'utf8')));
  }
  const result = await runClient({
    command: pythonBin,
    args: ['-m', 'grpc_tools.protoc', '-I', inDir, `--python_out=${outDir}`, `--grpc_python_out=${outDir}`, ...sources.map((s) => s.to)],
  });
  if (result.code !== 0) throw new Error(`grpc_tools.protoc failed: ${describeRun(result)}`);
}
