/**
 * A server for end-to-end tests: a random port in 40000-49999 (retried if
 * the bind loses a race), a temp data dir, and cleanups that close it (forced)
 * and remove the dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseZooCfg } from '../config/zoo-cfg.js';
import { createLogger } from '../logger.js';
import { CorralServer } from '../server.js';

/** Starts a server; what must be undone is pushed on `cleanups`. */
export async function startTestServer(
  cleanups: (() => Promise<void> | void)[], options: { dataDir?: string; extra?: string } = {},
): Promise<{ server: CorralServer; dataDir: string }> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'corral-server-test-'));
  if (options.dataDir === undefined) cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  for (let attempt = 0; ; attempt += 1) {
    const port = 40000 + Math.floor(Math.random() * 10000);
    const config = parseZooCfg(`tickTime=100\ndataDir=${dataDir}\nclientPort=${port}\n4lw.commands.whitelist=*\n${options.extra ?? ''}`);
    try {
      const server = await CorralServer.start(config, createLogger({ quiet: true }));
      cleanups.push(() => server.close({ force: true }));
      return { server, dataDir };
    } catch (error) {
      if (attempt > 10 || (error as { code?: string }).code !== 'EADDRINUSE') throw error;
    }
  }
}
