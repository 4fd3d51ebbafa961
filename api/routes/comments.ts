// Comments (PeerTube's shapes): threads of a video, a thread with its replies, comment, reply,
// delete (the author, the video's owner, or an admin). Whoever may see the video may read its
// comments (loadVisibleVideo); writing needs a logged-in user. Text is stored and answered as
// plain text: the web page renders it with textContent.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { comments, type CommentRow } from '../../db/index.ts';
import type { AppContext } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import { requireUser } from '../auth/authenticate.ts';
import { isOwnerOrAdmin } from '../../core/users/roles.ts';
import {
  CommentCreate, CommentCreated, CommentParams, CommentThreadList, CommentTree, ThreadListQuery, ThreadParams,
  type CommentJson, type CommentTreeJson,
} from '../schemas/comments.ts';
import { VideoIdParam, errorResponses } from '../schemas/common.ts';
import { loadVisibleVideo } from '../video-loaders.ts';

function presentComment(row: CommentRow): CommentJson {
  return {
    id: row.id,
    threadId: row.thread_id,
    inReplyToCommentId: row.in_reply_to,
    videoId: row.video_id,
    text: row.text,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    account: { id: row.account_id, name: row.account_name, displayName: row.account_display_name },
    totalReplies: row.total_replies,
  };
}

/** The thread's comments (oldest first) as PeerTube's tree: each reply under the comment it answers. */
function buildTree(rows: CommentRow[], rootId: number): CommentTreeJson | undefined {
  const nodes = new Map(rows.map((row) => [row.id, { comment: presentComment(row), children: [] as CommentTreeJson[] }]));
  for (const row of rows) {
    if (row.in_reply_to !== null) nodes.get(row.in_reply_to)?.children.push(nodes.get(row.id)!);
  }
  return nodes.get(rootId);
}

function commentText(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) throw new HttpError(400, 'invalid_input', 'A comment cannot be empty');
  return trimmed;
}

export function commentRoutes(context: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { pool } = context;
    const tags = ['Video Comments'];

    app.get('/videos/:id/comment-threads', {
      schema: { tags, params: VideoIdParam, querystring: ThreadListQuery, response: { 200: CommentThreadList, ...errorResponses } },
    }, async (request) => {
      const video = await loadVisibleVideo(context, request, request.params.id);
      const { total, rows } = await comments.listThreads(pool, video.id, request.query.start ?? 0, request.query.count ?? 15);
      return { total, data: rows.map(presentComment) };
    });

    app.get('/videos/:id/comment-threads/:threadId', {
      schema: { tags, params: ThreadParams, response: { 200: CommentTree, ...errorResponses } },
    }, async (request) => {
      const video = await loadVisibleVideo(context, request, request.params.id);
      const tree = buildTree(await comments.listThread(pool, video.id, request.params.threadId), request.params.threadId);
      if (!tree || tree.comment.inReplyToCommentId !== null) throw notFound('Comment thread');
      return tree;
    });

    app.post('/videos/:id/comment-threads', {
      schema: { tags, params: VideoIdParam, body: CommentCreate, response: { 200: CommentCreated, ...errorResponses } },
    }, async (request) => {
      const user = requireUser(request);
      const video = await loadVisibleVideo(context, request, request.params.id);
      const id = await comments.insertComment(pool, { videoId: video.id, accountId: user.account_id, text: commentText(request.body.text) });
      return { comment: presentComment((await comments.findComment(pool, video.id, id))!) };
    });

    app.post('/videos/:id/comments/:commentId', {
      schema: { tags, params: CommentParams, body: CommentCreate, response: { 200: CommentCreated, ...errorResponses } },
    }, async (request) => {
      const user = requireUser(request);
      const video = await loadVisibleVideo(context, request, request.params.id);
      const parent = await comments.findComment(pool, video.id, request.params.commentId);
      if (!parent) throw notFound('Comment');
      const id = await comments.insertComment(pool, {
        videoId: video.id, accountId: user.account_id, text: commentText(request.body.text),
        inReplyTo: { id: parent.id, threadId: parent.thread_id },
      });
      return { comment: presentComment((await comments.findComment(pool, video.id, id))!) };
    });

    app.delete('/videos/:id/comments/:commentId', {
      schema: { tags, params: CommentParams, response: { 204: {}, ...errorResponses } },
    }, async (request, reply) => {
      const user = requireUser(request);
      const video = await loadVisibleVideo(context, request, request.params.id);
      const comment = await comments.findComment(pool, video.id, request.params.commentId);
      if (!comment) throw notFound('Comment');
      if (comment.author_user_id !== user.id && !isOwnerOrAdmin(user, video.owner_user_id)) {
        throw new HttpError(403, 'forbidden', 'Only its author, the video owner or an admin can delete this comment');
      }
      // Its replies go with it (PeerTube keeps a "deleted" placeholder; this server has none yet).
      await comments.deleteComment(pool, comment.id);
      return reply.code(204).send();
    });
  };
}
