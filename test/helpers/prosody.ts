// Runs Debian's Prosody (0.12) as a child process on loopback, with its own config, data folder
// and free ports, so XMPP tests talk to a real server. The MUC archives rooms (mod_muc_mam), which
// makes it stamp every groupchat message with a <stanza-id/> (XEP-0359) the bridge relies on.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NS } from '../../chat/xmpp/namespaces.ts';
import { xml, type XmlElement } from '../../chat/xmpp/xmpp-js.ts';
import { freePort } from './ports.ts';
import { settleWithin, sleep } from './wait.ts';

const PROSODY = process.env.PROSODY_PATH ?? '/usr/bin/prosody';
const PROSODYCTL = process.env.PROSODYCTL_PATH ?? '/usr/bin/prosodyctl';

export interface TestProsody {
  clientPort: number;
  componentPort: number;
  domain: string;
  mucDomain: string;
  componentDomain: string;
  componentSecret: string;
  /** Everything Prosody printed so far. */
  output(): string;
  registerUser(name: string, password: string): Promise<void>;
  /** Stops and starts again on the same ports and data (rooms in memory are gone, accounts stay). */
  restart(): Promise<void>;
  /** Stops Prosody (without removing its data: restart() brings it back). */
  halt(): Promise<void>;
  start(): Promise<void>;
  /** Stops Prosody and removes its data. */
  stop(): Promise<void>;
}

interface Layout { dir: string; configPath: string; clientPort: number; componentPort: number; secret: string }

export async function startProsody(): Promise<TestProsody> {
  const dir = mkdtempSync(join(tmpdir(), 'livecast-prosody-'));
  const layout: Layout = {
    dir, configPath: join(dir, 'prosody.cfg.lua'),
    clientPort: await freePort(), componentPort: await freePort(), secret: `secret-${process.pid}-${Date.now()}`,
  };
  writeFileSync(layout.configPath, prosodyConfig(layout));
  let child: ChildProcess | undefined;
  let output = '';

  const server: TestProsody = {
    clientPort: layout.clientPort,
    componentPort: layout.componentPort,
    domain: 'localhost',
    mucDomain: 'conference.localhost',
    componentDomain: 'livecast.localhost',
    componentSecret: layout.secret,
    output: () => output,
    async start() {
      const started = spawn(PROSODY, ['--config', layout.configPath, '-F'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      child = started;
      started.stdout!.setEncoding('utf8').on('data', (text: string) => { output += text; });
      started.stderr!.setEncoding('utf8').on('data', (text: string) => { output += text; });
      await waitListening(started, [layout.clientPort, layout.componentPort], () => output);
    },
    async halt() {
      const running = child;
      child = undefined;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGTERM');
      if (await settleWithin(exited, 10_000) === 'timeout') {
        running.kill('SIGKILL');
        await exited;
      }
    },
    async restart() {
      await server.halt();
      await server.start();
    },
    async stop() {
      await server.halt();
      rmSync(dir, { recursive: true, force: true });
    },
    async registerUser(name, password) {
      await promisify(execFile)(PROSODYCTL, ['--config', layout.configPath, 'register', name, 'localhost', password], { cwd: dir });
    },
  };
  await server.start();
  return server;
}

// restrict_room_creation with the bridge as the MUC's admin, as docs/CHAT.md advises: only the bridge
// creates rooms, so their configuration is always the bridge's.
// run_as_root: CI runs as root and Prosody refuses that otherwise; it is a no-op for other users.
// Plain authentication without TLS is fine on loopback and spares the test a certificate.
function prosodyConfig({ dir, clientPort, componentPort, secret }: Layout): string {
  return `
run_as_root = true
daemonize = false
pidfile = ${lua(join(dir, 'prosody.pid'))}
data_path = ${lua(dir)}
log = { { levels = { min = "info" }, to = "console" } }
certificates = ${lua(dir)}
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { ${clientPort} }
component_ports = { ${componentPort} }
component_interfaces = { "127.0.0.1" }
s2s_ports = { }
http_ports = { }
https_ports = { }
c2s_require_encryption = false
s2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_plain"
storage = "internal"
modules_enabled = { "roster", "saslauth", "disco", "ping", "posix" }
modules_disabled = { "s2s", "tls" }

VirtualHost "localhost"

Component "conference.localhost" "muc"
  modules_enabled = { "muc_mam" }
  restrict_room_creation = true
  admins = { "bridge@livecast.localhost" }
  muc_log_by_default = true
  muc_log_all_rooms = true
  max_history_messages = 50

Component "livecast.localhost"
  component_secret = ${lua(secret)}
`;
}

const lua = (text: string) => JSON.stringify(text);

/** Resolves when every port accepts connections; rejects if Prosody exits or takes too long. */
async function waitListening(child: ChildProcess, ports: number[], output: () => string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (const port of ports) {
    while (!(await accepts(port))) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`prosody exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
      if (Date.now() > deadline) throw new Error(`prosody not listening on ${port} after 20 s:\n${output()}`);
      await sleep(100);
    }
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** An ordinary XMPP user (c2s, @xmpp/client) as any XMPP client would be, for the bridge's tests. */
export interface XmppTestUser {
  jid: string;
  /** Every stanza received so far. */
  received: XmlElement[];
  send(stanza: XmlElement): Promise<void>;
  /** Joins `room` under `nick` and resolves once the MUC confirms (self-presence). */
  join(room: string, nick: string, maxHistory?: number): Promise<void>;
  /** Says `text` in `room`; resolves with the message's id (also its origin-id). */
  say(room: string, text: string): Promise<string>;
  /** Groupchat messages received from `room`, history included. */
  groupchat(room: string): XmlElement[];
  stop(): Promise<void>;
}

interface ClientEntity {
  start(): Promise<unknown>;
  stop(): Promise<unknown>;
  send(stanza: XmlElement): Promise<void>;
  on(event: 'stanza', listener: (stanza: XmlElement) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  reconnect: { stop(): void };
}
interface ClientModule {
  client(options: { service: string; domain: string; username: string; password: string; resource?: string }): ClientEntity;
}

export async function connectXmppUser(prosody: Pick<TestProsody, 'clientPort' | 'domain'>, username: string, password: string, resource = 'test'): Promise<XmppTestUser> {
  const lib = (await import('@xmpp/client' as string)) as ClientModule;
  const entity = lib.client({ service: `xmpp://127.0.0.1:${prosody.clientPort}`, domain: prosody.domain, username, password, resource });
  const received: XmlElement[] = [];
  entity.on('stanza', (stanza) => { received.push(stanza); });
  entity.on('error', () => { /* seen in the test's assertions, not here */ });
  // The test decides when the user comes back: xmpp.js would otherwise reconnect by itself.
  entity.reconnect.stop();
  await entity.start();
  await entity.send(xml('presence'));
  let counter = 0;
  return {
    jid: `${username}@${prosody.domain}/${resource}`,
    received,
    send: (stanza) => entity.send(stanza),
    async join(room, nick, maxHistory = 20) {
      const from = `${room}/${nick}`;
      const seen = received.length;
      await entity.send(xml('presence', { to: from }, xml('x', { xmlns: NS.muc }, xml('history', { maxstanzas: String(maxHistory) }))));
      const deadline = Date.now() + 10_000;
      const fromRoom = () => received.slice(seen).filter((stanza) => stanza.name === 'presence' && stanza.attrs.from === from);
      while (fromRoom().length === 0) {
        if (Date.now() > deadline) throw new Error(`${username} could not join ${from}`);
        await sleep(50);
      }
      // The bridge's rooms are moderated: a newcomer is a visitor until the bridge gives voice
      // (or decides not to). Wait a little for that, as a person would before typing.
      const voiceDeadline = Date.now() + 5_000;
      while (fromRoom().at(-1)!.getChild('x', NS.mucUser)?.getChild('item')?.attrs.role === 'visitor' && Date.now() < voiceDeadline) {
        await sleep(50);
      }
    },
    async say(room, text) {
      counter += 1;
      const id = `${username}-${Date.now()}-${counter}`;
      await entity.send(xml('message', { to: room, type: 'groupchat', id }, xml('body', {}, text), xml('origin-id', { xmlns: NS.sid, id })));
      return id;
    },
    groupchat: (room) => received.filter((stanza) => stanza.name === 'message' && stanza.attrs.type === 'groupchat' && (stanza.attrs.from ?? '').startsWith(`${room}/`)),
    async stop() {
      await entity.stop().catch(() => undefined);
    },
  };
}
