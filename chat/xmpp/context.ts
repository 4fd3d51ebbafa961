// What the bridge's parts share: one per running bridge, never module-level.
import type { Config, Logger } from '../../config/index.ts';
import type { ChatHub } from '../contracts.ts';
import type { BridgeConnection } from './connection.ts';
import type { HeardLog } from './heard-log.ts';
import type { Occupants } from './occupants.ts';
import type { Roster } from './roster.ts';
import type { Rooms } from './rooms.ts';
import type { SentLog } from './sent-log.ts';

export interface BridgeContext {
  hub: ChatHub;
  settings: Config['chat']['xmpp'];
  log: Logger;
  connection: BridgeConnection;
  occupants: Occupants;
  rooms: Rooms;
  sent: SentLog;
  heard: HeardLog;
  /** Who is behind each nick in our rooms (real JIDs, as the MUC shows them to the bot). */
  roster: Roster;
  /** The bot occupant's JID, the one that listens to each room for the bridge. */
  botJid: string;
}
