// Video comments (PeerTube's threads): a root comment is its own thread (thread_id = id);
// replies name the thread and the comment they answer. Deleting a comment deletes its replies.
import type pg from 'pg';

export interface CommentRow {
  id: number;
  video_id: number;
  thread_id: number;
  in_reply_to: number | null;
  account_id: number;
  account_name: string;
  account_display_name: string;
  /** The user behind the account: the comment's author. */
  author_user_id: number;
  text: string;
  created_at: Date;
  updated_at: Date;
  /** Replies in the thread (roots only; 0 for a reply). */
  total_replies: number;
}

const SELECT_COMMENT = `
  SELECT m.*, a.name AS account_name, a.display_name AS account_display_name, a.user_id AS author_user_id,
         CASE WHEN m.in_reply_to IS NULL
           THEN (SELECT count(*)::int FROM video_comments r WHERE r.thread_id = m.id AND r.id <> m.id) ELSE 0 END AS total_replies
  FROM video_comments m JOIN accounts a ON a.id = m.account_id`;

export async function findComment(pool: pg.Pool, videoId: number, commentId: number): Promise<CommentRow | undefined> {
  const { rows } = await pool.query<CommentRow>(`${SELECT_COMMENT} WHERE m.video_id = $1 AND m.id = $2`, [videoId, commentId]);
  return rows[0];
}

/** Root comments of a video, newest first. */
export async function listThreads(pool: pg.Pool, videoId: number, start: number, count: number): Promise<{ total: number; rows: CommentRow[] }> {
  const { rows: [{ total }] } = await pool.query<{ total: number }>(
    'SELECT count(*)::int AS total FROM video_comments WHERE video_id = $1 AND in_reply_to IS NULL', [videoId]);
  const { rows } = await pool.query<CommentRow>(
    `${SELECT_COMMENT} WHERE m.video_id = $1 AND m.in_reply_to IS NULL ORDER BY m.created_at DESC, m.id DESC LIMIT $2 OFFSET $3`,
    [videoId, count, start]);
  return { total, rows };
}

/** Every comment of a thread (its root included), oldest first. */
export async function listThread(pool: pg.Pool, videoId: number, threadId: number): Promise<CommentRow[]> {
  const { rows } = await pool.query<CommentRow>(
    `${SELECT_COMMENT} WHERE m.video_id = $1 AND m.thread_id = $2 ORDER BY m.created_at, m.id`, [videoId, threadId]);
  return rows;
}

export async function insertComment(pool: pg.Pool, comment: {
  videoId: number; accountId: number; text: string; inReplyTo?: { id: number; threadId: number };
}): Promise<number> {
  const { rows: [row] } = await pool.query<{ id: number }>(
    `INSERT INTO video_comments (video_id, account_id, text, thread_id, in_reply_to)
     VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [comment.videoId, comment.accountId, comment.text, comment.inReplyTo?.threadId ?? null, comment.inReplyTo?.id ?? null]);
  // A root is its own thread.
  if (!comment.inReplyTo) await pool.query('UPDATE video_comments SET thread_id = id WHERE id = $1', [row.id]);
  return row.id;
}

export async function deleteComment(pool: pg.Pool, commentId: number): Promise<void> {
  await pool.query('DELETE FROM video_comments WHERE id = $1', [commentId]);
}
