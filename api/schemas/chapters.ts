import Type, { type Static } from 'typebox';

const ChapterJson = Type.Object({
  timecode: Type.Integer({ minimum: 0, description: 'Seconds from the start' }),
  title: Type.String({ minLength: 1, maxLength: 100 }),
});
export const ChapterList = Type.Object({ chapters: Type.Array(ChapterJson) });
export const ChapterUpdate = Type.Object({
  chapters: Type.Array(ChapterJson, { maxItems: 1000 }),
}, { additionalProperties: false });
export type ChapterUpdateBody = Static<typeof ChapterUpdate>;

const StoryboardJson = Type.Object({
  storyboardPath: Type.String(),
  totalHeight: Type.Integer(),
  totalWidth: Type.Integer(),
  spriteHeight: Type.Integer(),
  spriteWidth: Type.Integer(),
  spriteDuration: Type.Integer(),
});
export const StoryboardList = Type.Object({
  storyboards: Type.Array(StoryboardJson),
  // Not PeerTube's: where the generation stands, for the studio (owner and admins only).
  status: Type.Optional(Type.Object({
    state: Type.String({ description: 'pending | running | done | failed' }),
    progress: Type.Number({ description: '0..1' }),
    error: Type.Union([Type.String(), Type.Null()]),
  })),
});

// The JSON shapes as the browser reads them: web/app/ imports these in its JSDoc types.
/** @public */
export type ChapterListJson = Static<typeof ChapterList>;
/** @public */
export type StoryboardListJson = Static<typeof StoryboardList>;
