// A typed facade over the parts of xmpp.js the bridge uses. @xmpp/component ships no types,
// so this file is the only place that loads it and says what shape we rely on.
import { createRequire } from 'node:module';

/** An XML element as xmpp.js (ltx) builds and parses it. */
export interface XmlElement {
  name: string;
  attrs: Record<string, string | undefined>;
  children: Array<XmlElement | string>;
  getChild(name: string, xmlns?: string): XmlElement | undefined;
  getChildren(name: string, xmlns?: string): XmlElement[];
  getChildText(name: string, xmlns?: string): string | null;
  text(): string;
  toString(): string;
}

export type XmlChild = XmlElement | string | null | undefined;
export type XmlFactory = (name: string, attrs?: Record<string, string | undefined>, ...children: XmlChild[]) => XmlElement;

export interface ReconnectPolicy {
  /** Milliseconds before the next attempt; read each time a disconnect schedules one. */
  delay: number;
  stop(): void;
  on(event: 'reconnecting' | 'reconnected', listener: () => void): void;
}

export interface IqCaller {
  request(stanza: XmlElement, timeoutMs?: number): Promise<XmlElement>;
}

export type ComponentStatus = 'offline' | 'connecting' | 'connect' | 'opening' | 'open' | 'online' | 'closing' | 'close' | 'disconnecting' | 'disconnect';

export interface ComponentConnection {
  status: ComponentStatus;
  start(): Promise<void>;
  stop(): Promise<void>;
  send(stanza: XmlElement): Promise<void>;
  on(event: 'stanza', listener: (stanza: XmlElement) => void): void;
  on(event: 'online' | 'offline', listener: () => void): void;
  on(event: 'disconnect', listener: (details?: { clean: boolean }) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  reconnect: ReconnectPolicy;
  iqCaller: IqCaller;
}

interface ComponentModule {
  component(options: { service: string; domain: string; password: string }): ComponentConnection;
  xml: XmlFactory;
}

const lib = createRequire(import.meta.url)('@xmpp/component') as ComponentModule;

export const xml: XmlFactory = lib.xml;

/** A component connection (XEP-0114); xmpp.js reconnects it by itself after a disconnect. */
export function createComponent(options: { host: string; port: number; domain: string; secret: string }): ComponentConnection {
  return lib.component({ service: `xmpp://${options.host}:${options.port}`, domain: options.domain, password: options.secret });
}
