// The component connection with what the bridge needs around it: a growing delay between
// reconnection attempts, clear log lines, and no way for an XMPP error to crash the process.
import type { Config, Logger } from '../../config/index.ts';
import { createComponent, type XmlElement } from './xmpp-js.ts';

export interface ConnectionEvents {
  online(): void;
  offline(): void;
  stanza(stanza: XmlElement): void;
}

export interface BridgeConnection {
  isOnline(): boolean;
  send(stanza: XmlElement): Promise<void>;
  /** Sends an iq and resolves with the result (rejects on an error reply or a timeout). */
  request(iq: XmlElement, timeoutMs?: number): Promise<XmlElement>;
  stop(): Promise<void>;
}

const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 15_000;

export function openConnection(settings: Config['chat']['xmpp'], log: Logger, events: ConnectionEvents): BridgeConnection {
  const entity = createComponent({ host: settings.host, port: settings.port, domain: settings.componentDomain, secret: settings.componentSecret });
  const where = `${settings.componentDomain} at ${settings.host}:${settings.port}`;
  let online = false;
  let stopping = false;
  let failures = 0;

  entity.on('online', () => {
    online = true;
    failures = 0;
    entity.reconnect.delay = FIRST_DELAY_MS;
    log.info(`connected to the XMPP server as ${where}`);
    events.online();
  });
  entity.on('disconnect', () => {
    // xmpp.js schedules the next attempt itself; this sets the delay of the one after it.
    failures += 1;
    entity.reconnect.delay = Math.min(FIRST_DELAY_MS * 2 ** failures, MAX_DELAY_MS);
    if (!online) return;
    online = false;
    if (!stopping) log.warn(`lost the XMPP server connection (${where}); reconnecting`);
    events.offline();
  });
  entity.on('error', (error) => {
    // A refused secret is a configuration mistake: say so every time. Connection refused while the
    // server is down repeats every attempt: keep it to debug after the first.
    if (/not-authorized/.test(error.message)) {
      log.warn(`the XMPP server refused the component secret for ${settings.componentDomain} (chat.xmpp.componentSecret): ${error.message}`);
    } else if (failures === 0) {
      log.warn(`XMPP connection error: ${error.message}`);
    } else {
      log.debug(`XMPP connection error: ${error.message}`);
    }
  });
  entity.on('stanza', (stanza) => {
    try {
      events.stanza(stanza);
    } catch (error) {
      log.warn(`XMPP stanza handler failed: ${(error as Error).message}`);
    }
  });

  if (!settings.componentSecret) log.warn('chat.xmpp.componentSecret is empty: the XMPP server will refuse the component');
  entity.start().catch((error: Error) => {
    // The reconnect loop keeps trying; the server runs without XMPP meanwhile.
    log.warn(`cannot connect to the XMPP server (${where}) yet: ${error.message}; retrying`);
  });

  return {
    isOnline: () => online,
    send: (stanza) => entity.send(stanza),
    request: (iq, timeoutMs = 10_000) => entity.iqCaller.request(iq, timeoutMs),
    async stop() {
      stopping = true;
      entity.reconnect.stop();
      try {
        await entity.stop();
      } catch (error) {
        log.debug(`XMPP stop: ${(error as Error).message}`);
      }
      if (online) {
        online = false;
        events.offline();
      }
    },
  };
}
