// Chapters read from a description (PeerTube's rule) and the storyboard's plan and WebVTT track.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chaptersFromDescription } from '../../core/chapters/parse.ts';
import { jpegSize, planStoryboard, storyboardVtt } from '../../packager/storyboard/index.ts';

describe('chapters from a description', () => {
  it('reads timestamp lines when there are two or more and the first is at 00:00', () => {
    assert.deepEqual(chaptersFromDescription('Hello\n00:00 Intro\n1:05 Demo\n1:02:03 Q&A\nbye'), [
      { timecode: 0, title: 'Intro' }, { timecode: 65, title: 'Demo' }, { timecode: 3723, title: 'Q&A' },
    ]);
    assert.deepEqual(chaptersFromDescription('00:00 - Intro\r\n00:10 – Next'), [{ timecode: 0, title: 'Intro' }, { timecode: 10, title: 'Next' }]);
  });

  it('ignores a single line, a list not starting at 00:00, and impossible times', () => {
    assert.deepEqual(chaptersFromDescription('00:00 Intro'), []);
    assert.deepEqual(chaptersFromDescription('00:05 Intro\n00:10 Next'), []);
    assert.deepEqual(chaptersFromDescription('00:00 Intro\n00:75 Next'), []);
    assert.deepEqual(chaptersFromDescription(''), []);
  });

  it('cuts titles to 100 characters', () => {
    const [first] = chaptersFromDescription(`00:00 ${'x'.repeat(150)}\n00:01 b`);
    assert.equal(first.title.length, 100);
  });
});

describe('storyboard', () => {
  it('keeps to at most 100 sprites', () => {
    assert.deepEqual(planStoryboard(8), { spriteDuration: 1, count: 8, columns: 8, rows: 1 });
    assert.deepEqual(planStoryboard(100), { spriteDuration: 1, count: 100, columns: 10, rows: 10 });
    assert.deepEqual(planStoryboard(3601), { spriteDuration: 37, count: 98, columns: 10, rows: 10 });
  });

  it('writes cues that follow each other up to the end', () => {
    const plan = planStoryboard(12.5);
    const vtt = storyboardVtt('/s/storyboard.jpg', 12.5, plan, { width: 160, height: 90 });
    const cues = [...vtt.matchAll(/(\S+) --> (\S+)\n(\S+)/g)];
    assert.equal(cues.length, 13);
    assert.equal(cues[0][1], '00:00:00.000');
    assert.equal(cues.at(-1)![2], '00:00:12.500');
    assert.equal(cues[11][3], '/s/storyboard.jpg#xywh=160,90,160,90');
  });

  it('reads the size of a JPEG', () => {
    const sof = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x5a, 0x06, 0x40, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    assert.deepEqual(jpegSize(sof), { width: 1600, height: 90 });
  });
});
