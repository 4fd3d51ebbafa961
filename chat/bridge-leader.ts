// Runs the XMPP bridge in exactly one server process: the one holding a Postgres advisory lock.
// The others retry now and then, so the bridge moves to a survivor when its process dies (the lock
// goes with its connection).
import type pg from 'pg';
import type { Config, Logger } from '../config/index.ts';
import type { ChatHub } from './contracts.ts';
import type { XmppBridge } from './xmpp-bridge.ts';

const BRIDGE_LOCK = 7413002;
const RETRY_MS = 10_000;

export interface ChatBridgeHandle { stop(): Promise<void> }

export function startChatBridge(options: { pool: pg.Pool; hub: ChatHub; settings: Config['chat']['xmpp']; log: Logger }): ChatBridgeHandle {
  const { pool, log } = options;
  let stopped = false;
  let holder: pg.PoolClient | undefined;
  let bridge: XmppBridge | undefined;
  let timer: NodeJS.Timeout | undefined;

  async function tryToLead(): Promise<void> {
    const client = await pool.connect();
    try {
      const { rows: [row] } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [BRIDGE_LOCK]);
      if (!row.locked || stopped) {
        if (row.locked) await client.query('SELECT pg_advisory_unlock($1)', [BRIDGE_LOCK]);
        client.release();
        return;
      }
    } catch (error) {
      client.release();
      throw error;
    }
    holder = client;
    log.info('this process runs the XMPP bridge');
    // Loaded only where the bridge runs: xmpp.js stays out of processes that do not bridge.
    const { startXmppBridge } = await import('./xmpp-bridge.ts');
    bridge = await startXmppBridge({ hub: options.hub, settings: options.settings, log });
  }

  function attempt(): void {
    tryToLead().catch((error: Error) => log.warn(`XMPP bridge: ${error.message}`)).finally(() => {
      if (!stopped && !holder) timer = setTimeout(attempt, RETRY_MS);
    });
  }
  attempt();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await bridge?.stop().catch((error: Error) => log.warn(`XMPP bridge stop: ${error.message}`));
      if (holder) {
        await holder.query('SELECT pg_advisory_unlock($1)', [BRIDGE_LOCK]).catch(() => undefined);
        holder.release();
      }
    },
  };
}
