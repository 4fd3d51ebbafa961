// Chapters written in a description, PeerTube's way: lines that start with a timestamp
// ("00:00 Intro", "1:02:03 Q&A"); at least two of them, and the first at 00:00.
import type { Chapter } from '../../db/repositories/chapters.ts';

const CHAPTER_TITLE_MAX = 100;
const LINE = /^(?:(\d{1,2}):)?(\d{1,2}):(\d{2})\s+(?:[-–—:]\s*)?(.+)$/;

export function chaptersFromDescription(description: string | null | undefined): Chapter[] {
  if (!description) return [];
  const chapters: Chapter[] = [];
  const seen = new Set<number>();
  for (const raw of description.split(/\r?\n/)) {
    const match = LINE.exec(raw.trim());
    if (!match) continue;
    const [, hours, minutes, seconds, title] = match;
    if (Number(seconds) >= 60 || (hours !== undefined && Number(minutes) >= 60)) continue;
    const timecode = Number(hours ?? 0) * 3600 + Number(minutes) * 60 + Number(seconds);
    const text = title.trim().slice(0, CHAPTER_TITLE_MAX);
    if (!text || seen.has(timecode)) continue;
    seen.add(timecode);
    chapters.push({ timecode, title: text });
  }
  if (chapters.length < 2 || chapters[0].timecode !== 0) return [];
  return chapters.sort((a, b) => a.timecode - b.timecode);
}
