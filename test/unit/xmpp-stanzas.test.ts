// The XMPP bridge's pure parts: addresses, the stanzas it sends, and how it reads what it receives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nickCandidate, occupantJid, splitOccupant, userKey } from '../../chat/xmpp/addresses.ts';
import { readMessage } from '../../chat/xmpp/incoming.ts';
import { NS } from '../../chat/xmpp/namespaces.ts';
import { readOccupantPresence, readSelfPresence } from '../../chat/xmpp/presence.ts';
import { Roster } from '../../chat/xmpp/roster.ts';
import { messageIdOf, originIdFor } from '../../chat/xmpp/sent-log.ts';
import { groupchatMessage, joinPresence, retractionMessage, roomConfigIq } from '../../chat/xmpp/stanzas.ts';
import { xml } from '../../chat/xmpp/xmpp-js.ts';

const ROOM = 'live-1@conference.localhost';

describe('XMPP addresses', () => {
  it('gives each web user a stable JID of their own in the component domain', () => {
    const ann = occupantJid(userKey({ account: 'ann', nick: 'ann' }), 'livecast.localhost');
    assert.match(ann, /^u-[0-9a-f]{20}@livecast\.localhost\/web$/);
    assert.equal(ann, occupantJid(userKey({ account: 'ann', nick: 'Ann' }), 'livecast.localhost'));
    assert.notEqual(ann, occupantJid(userKey({ account: null, nick: 'ann' }), 'livecast.localhost'), 'an anonymous "ann" is someone else');
  });

  it('tries other nicks when one is taken', () => {
    assert.deepEqual([0, 1, 2].map((attempt) => nickCandidate('ann', attempt)), ['ann', 'ann (web)', 'ann (web 2)']);
    assert.equal(nickCandidate('  ', 0), 'guest');
  });

  it('splits an occupant address whose nick contains a slash', () => {
    assert.deepEqual(splitOccupant(`${ROOM}/a/b`), { room: ROOM, nick: 'a/b' });
    assert.deepEqual(splitOccupant(ROOM), { room: ROOM, nick: null });
  });

  it('recognises only its own origin-ids', () => {
    assert.equal(messageIdOf(originIdFor(42)), 42);
    assert.equal(messageIdOf('abc-42'), null);
    assert.equal(messageIdOf('livecast-clear-1x'), null);
    assert.equal(messageIdOf(null), null);
  });
});

describe('XMPP stanzas sent', () => {
  it('joins without history and says messages with an origin-id', () => {
    assert.equal(joinPresence('u@c/web', ROOM, 'ann', 0).toString(),
      `<presence from="u@c/web" to="${ROOM}/ann"><x xmlns="${NS.muc}"><history maxstanzas="0"/></x></presence>`);
    const message = groupchatMessage('u@c/web', ROOM, 'a < b', 'livecast-7');
    assert.equal(message.attrs.type, 'groupchat');
    assert.equal(message.getChildText('body'), 'a < b');
    assert.equal(message.getChild('origin-id', NS.sid)?.attrs.id, 'livecast-7');
    assert.match(message.toString(), /a &lt; b/);
  });

  it('retracts in both XEP-0424 forms, with a fallback body', () => {
    const withStanzaId = retractionMessage('u@c/web', ROOM, { stanzaId: 'S1', originId: 'livecast-7' });
    assert.equal(withStanzaId.getChild('retract', NS.retract)?.attrs.id, 'S1');
    const applyTo = withStanzaId.getChild('apply-to', NS.fasten);
    assert.equal(applyTo?.attrs.id, 'livecast-7');
    assert.ok(applyTo?.getChild('retract', NS.retractV0));
    assert.equal(withStanzaId.getChild('fallback', NS.fallback)?.attrs.for, NS.retract);
    assert.ok(withStanzaId.getChildText('body'));
    const withoutStanzaId = retractionMessage('u@c/web', ROOM, { stanzaId: null, originId: 'livecast-7' });
    assert.equal(withoutStanzaId.getChild('retract', NS.retract)?.attrs.id, 'livecast-7');
  });
});

describe('XMPP stanzas received', () => {
  const groupchat = (...children: ReturnType<typeof xml>[]) => xml('message', { from: `${ROOM}/bob`, to: 'bridge@c/livecast', type: 'groupchat', id: 'm1' }, ...children);

  it('reads a message with the room\'s stanza-id, not a forged one', () => {
    const read = readMessage(groupchat(xml('body', {}, 'hi'),
      xml('stanza-id', { xmlns: NS.sid, by: 'someone@else', id: 'FORGED' }),
      xml('stanza-id', { xmlns: NS.sid, by: ROOM, id: 'S9' }),
      xml('origin-id', { xmlns: NS.sid, id: 'o1' })));
    assert.deepEqual(read, { kind: 'said', room: ROOM, nick: 'bob', text: 'hi', ids: { stanzaId: 'S9', originId: 'o1', id: 'm1' } });
  });

  it('tells history, subjects, empty messages and room notices apart', () => {
    assert.equal(readMessage(groupchat(xml('body', {}, 'old'), xml('delay', { xmlns: NS.delay, stamp: '2020-01-01T00:00:00Z' }))).kind, 'history');
    assert.equal(readMessage(groupchat(xml('subject', {}, 'Topic'))).kind, 'subject');
    assert.equal(readMessage(groupchat(xml('active', { xmlns: 'http://jabber.org/protocol/chatstates' }))).kind, 'ignore');
    assert.equal(readMessage(xml('message', { from: ROOM, type: 'groupchat' }, xml('body', {}, 'notice'))).kind, 'ignore');
    assert.equal(readMessage(xml('message', { from: `${ROOM}/bob`, type: 'chat' }, xml('body', {}, 'pm'))).kind, 'ignore');
  });

  it('reads retractions in the current and the first form, before their fallback body', () => {
    const current = readMessage(groupchat(xml('retract', { xmlns: NS.retract, id: 'S9' }), xml('body', {}, 'fallback')));
    assert.equal(current.kind === 'retract' && current.targetId, 'S9');
    const first = readMessage(groupchat(xml('apply-to', { xmlns: NS.fasten, id: 'o1' }, xml('retract', { xmlns: NS.retractV0 })), xml('body', {}, 'fallback')));
    assert.equal(first.kind === 'retract' && first.targetId, 'o1');
  });

  it('reads the MUC\'s presences about our own occupants', () => {
    const status = (...codes: string[]) => xml('x', { xmlns: NS.mucUser }, ...codes.map((code) => xml('status', { code })));
    assert.deepEqual(readSelfPresence(xml('presence', { from: `${ROOM}/ann`, to: 'u@c/web' }, status('110', '201'))),
      { kind: 'joined', room: ROOM, to: 'u@c/web', nick: 'ann', created: true });
    assert.equal(readSelfPresence(xml('presence', { from: `${ROOM}/ann`, to: 'u@c/web', type: 'unavailable' }, status('110', '307'))).kind, 'left');
    assert.equal(readSelfPresence(xml('presence', { from: `${ROOM}/bob`, to: 'u@c/web' }, status())).kind, 'other');
    const conflict = readSelfPresence(xml('presence', { from: `${ROOM}/ann`, to: 'u@c/web', type: 'error' },
      xml('error', { type: 'cancel' }, xml('conflict', { xmlns: NS.stanzas }))));
    assert.equal(conflict.kind === 'error' && conflict.condition, 'conflict');
  });
});

describe('XMPP occupants and room configuration', () => {
  const presence = (nick: string, item: Record<string, string>, type?: string, codes: string[] = []) =>
    xml('presence', { from: `${ROOM}/${nick}`, to: 'bridge@c/livecast', ...(type ? { type } : {}) },
      xml('x', { xmlns: NS.mucUser }, xml('item', item), ...codes.map((code) => xml('status', { code }))));

  it('reads an occupant\'s real JID and role, and follows a nick change to the same JID', () => {
    const roster = new Roster();
    const arrived = readOccupantPresence(presence('troll', { jid: 'troll@example.org/phone', role: 'visitor', affiliation: 'none' }));
    assert.deepEqual(arrived, { kind: 'present', room: ROOM, nick: 'troll', jid: 'troll@example.org/phone', role: 'visitor' });
    assert.equal(roster.onPresence(arrived), true, 'a visitor waits for voice');
    roster.onPresence(readOccupantPresence(presence('troll', { nick: 'innocent', role: 'participant' }, 'unavailable', ['303'])));
    assert.equal(roster.jidOf(ROOM, 'troll'), null);
    assert.equal(roster.jidOf(ROOM, 'innocent'), 'troll@example.org/phone', 'the new nick is the same person');
    assert.equal(readOccupantPresence(presence('anon', { role: 'participant' })).kind, 'present');
    assert.equal(roster.jidOf(ROOM, 'anon'), null, 'without a JID, only the nick is known');
  });

  it('configures a room it creates: moderated, semi-anonymous, unlisted, temporary', () => {
    const form = roomConfigIq('bridge@c/livecast', ROOM, 'My live').getChild('query', NS.mucOwner)!.getChild('x', NS.dataForms)!;
    const value = (name: string) => form.getChildren('field').find((field) => field.attrs.var === name)?.getChildText('value');
    assert.equal(value('FORM_TYPE'), 'http://jabber.org/protocol/muc#roomconfig');
    assert.equal(value('muc#roomconfig_moderatedroom'), '1');
    assert.equal(value('muc#roomconfig_whois'), 'moderators');
    assert.equal(value('muc#roomconfig_publicroom'), '0');
    assert.equal(value('muc#roomconfig_roomname'), 'My live');
  });
});
