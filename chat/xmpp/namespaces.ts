// The XML namespaces of the XEPs the bridge speaks.
export const NS = {
  muc: 'http://jabber.org/protocol/muc',
  mucUser: 'http://jabber.org/protocol/muc#user',
  mucOwner: 'http://jabber.org/protocol/muc#owner',
  mucAdmin: 'http://jabber.org/protocol/muc#admin',
  dataForms: 'jabber:x:data',
  stanzas: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  /** XEP-0359: origin-id (ours) and stanza-id (the MUC's). */
  sid: 'urn:xmpp:sid:0',
  /** XEP-0203: history the MUC replays on join carries a delay. */
  delay: 'urn:xmpp:delay',
  /** XEP-0424 (current) and its first version, which rode on XEP-0422 fastening. */
  retract: 'urn:xmpp:message-retract:1',
  retractV0: 'urn:xmpp:message-retract:0',
  fasten: 'urn:xmpp:fasten:0',
  /** XEP-0428: marks the body as a fallback for clients that lack the feature. */
  fallback: 'urn:xmpp:fallback:0',
  /** XEP-0334: ask the server to archive a body-less or fallback message. */
  hints: 'urn:xmpp:hints',
} as const;
