import type pg from 'pg';

export async function subscribe(pool: pg.Pool, accountId: number, channelId: number): Promise<void> {
  await pool.query('INSERT INTO channel_subscriptions (account_id, channel_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [accountId, channelId]);
}

export async function unsubscribe(pool: pg.Pool, accountId: number, channelId: number): Promise<boolean> {
  const { rowCount } = await pool.query('DELETE FROM channel_subscriptions WHERE account_id = $1 AND channel_id = $2', [accountId, channelId]);
  return (rowCount ?? 0) > 0;
}

export async function isSubscribed(pool: pg.Pool, accountId: number, channelId: number): Promise<boolean> {
  const { rowCount } = await pool.query('SELECT 1 FROM channel_subscriptions WHERE account_id = $1 AND channel_id = $2', [accountId, channelId]);
  return (rowCount ?? 0) > 0;
}

export interface SubscriptionRow { channel_id: number; channel_name: string; channel_display_name: string; created_at: Date }

export async function listSubscriptions(pool: pg.Pool, accountId: number): Promise<SubscriptionRow[]> {
  const { rows } = await pool.query<SubscriptionRow>(
    `SELECT s.channel_id, c.name AS channel_name, c.display_name AS channel_display_name, s.created_at
     FROM channel_subscriptions s JOIN channels c ON c.id = s.channel_id WHERE s.account_id = $1 ORDER BY s.created_at DESC`, [accountId]);
  return rows;
}
