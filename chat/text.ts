// Chat text is plain text: clients insert it as text, never as HTML. What is cleaned here is what
// could still hurt as text: control characters, bidirectional overrides that reverse what others
// read (a classic spoofing trick), runs of blank lines, and sizes beyond the limit.
import type { ChatError } from './contracts.ts';

// C0/C1 controls except tab and newline, bidi embeddings/overrides/isolates, BOM.
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]/gu;

export function cleanMessageText(raw: unknown, maxLength: number): { text: string } | ChatError {
  if (typeof raw !== 'string') return { code: 'invalid', message: 'The message must be text' };
  // Refuse megabyte payloads before normalising them (the length check below counts code points).
  if (raw.length > maxLength * 4 + 64) return tooLong(maxLength);
  const text = raw.normalize('NFC').replace(INVISIBLE, '').replace(/\t/g, ' ')
    .replace(/[ \u00a0]{2,}/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
  if (text === '') return { code: 'empty', message: 'The message is empty' };
  if ([...text].length > maxLength) return tooLong(maxLength);
  return { text };
}

function tooLong(maxLength: number): ChatError {
  return { code: 'too_long', message: `Messages are limited to ${maxLength} characters` };
}

/** An XMPP nick made safe to show: no controls or newlines, at most 48 characters. */
export function cleanNick(raw: string): string {
  const nick = [...raw.normalize('NFC').replace(INVISIBLE, '').replace(/\s+/g, ' ').trim()].slice(0, 48).join('');
  return nick === '' ? 'xmpp-user' : nick;
}

/** The forbidden word the text contains (whole words, case-insensitive), if any. */
export function forbiddenWordIn(text: string, words: readonly string[]): string | undefined {
  if (words.length === 0) return undefined;
  const tokens = new Set(text.toLocaleLowerCase().split(/[^\p{L}\p{N}_'-]+/u));
  const lowered = text.toLocaleLowerCase();
  return words.find((word) => {
    const wanted = word.toLocaleLowerCase();
    // A phrase of several words is matched as a substring; a single word must be a whole token.
    return /\s/.test(wanted) ? lowered.includes(wanted) : tokens.has(wanted);
  });
}

/** Forbidden-word lists as moderators type them: trimmed, deduplicated, bounded. */
export function cleanWordList(raw: unknown): string[] | ChatError {
  if (!Array.isArray(raw) || raw.some((word) => typeof word !== 'string')) {
    return { code: 'invalid', message: 'forbiddenWords must be a list of words' };
  }
  const words = [...new Set((raw as string[]).map((word) => word.replace(INVISIBLE, '').trim().toLocaleLowerCase()).filter(Boolean))];
  if (words.length > 500 || words.some((word) => word.length > 100)) {
    return { code: 'invalid', message: 'At most 500 forbidden words of up to 100 characters' };
  }
  return words;
}
