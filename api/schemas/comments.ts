import Type, { type Static } from 'typebox';
import { Pagination } from './common.ts';

/** PeerTube's VideoComment (the fields this server has). */
export const Comment = Type.Object({
  id: Type.Integer(),
  threadId: Type.Integer(),
  inReplyToCommentId: Type.Union([Type.Integer(), Type.Null()]),
  videoId: Type.Integer(),
  text: Type.String({ description: 'Plain text, as written: never HTML' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  account: Type.Object({ id: Type.Integer(), name: Type.String(), displayName: Type.String() }),
  totalReplies: Type.Integer(),
});
export type CommentJson = Static<typeof Comment>;

export const CommentThreadList = Type.Object({ total: Type.Integer(), data: Type.Array(Comment) });

export interface CommentTreeJson { comment: CommentJson; children: CommentTreeJson[] }
/** PeerTube's VideoCommentThreadTree: children are trees of the same shape (left open in the schema). */
export const CommentTree = Type.Object({ comment: Comment, children: Type.Array(Type.Unknown()) });

export const CommentCreate = Type.Object({
  text: Type.String({ minLength: 1, maxLength: 10000 }),
}, { additionalProperties: false });

export const CommentCreated = Type.Object({ comment: Comment });

export const CommentParams = Type.Object({
  id: Type.String({ maxLength: 64 }),
  commentId: Type.Integer({ minimum: 1 }),
});
export const ThreadParams = Type.Object({
  id: Type.String({ maxLength: 64 }),
  threadId: Type.Integer({ minimum: 1 }),
});
export const ThreadListQuery = Pagination;

// The JSON shapes as the browser reads them: web/app/api.js imports these in its JSDoc types.
/** @public */
export type CommentListJson = Static<typeof CommentThreadList>;
/** @public */
export type CommentCreatedJson = Static<typeof CommentCreated>;
