// Starts our real server (`node api/server.ts` on its own embedded Postgres, as the tests do),
// creates the live whose chat room the fleet joins, and hands back its target.
import { ApiClient } from '../../test/helpers/api.ts';
import { createTestServer } from '../../test/helpers/server.ts';
import type { RunningServer } from './baseline.ts';
import { treeWithEnv } from './cpu-meters.ts';

/** `serverNodeOptions`: NODE_OPTIONS for the server process only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
export async function startOurs(serverNodeOptions: string | undefined): Promise<RunningServer> {
  const server = await createTestServer(serverNodeOptions ? { NODE_OPTIONS: serverNodeOptions } : {});
  try {
    await server.start();
    const admin = await ApiClient.asAdmin(server.baseUrl);
    const live = await admin.createLive({ name: 'bench' });
    return {
      target: { name: 'ours: livecast /chat', baseUrl: server.baseUrl, namespace: '/chat', join: { videoId: live.id } },
      // The server carries its data folder in its environment; Postgres and its backends are its descendants.
      pids: () => treeWithEnv(`STORAGE_DATA_DIR=${server.dataDir}`),
      stop: () => server.destroy(),
    };
  } catch (error) {
    await server.destroy();
    throw error;
  }
}
