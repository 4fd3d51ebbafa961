import { USER_ROLE_LABELS, type UserRow } from '../../db/index.ts';

export function presentUser(row: UserRow) {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    role: { id: row.role, label: USER_ROLE_LABELS[row.role] ?? 'Unknown' },
    createdAt: row.created_at.toISOString(),
    account: { id: row.account_id, name: row.username, displayName: row.account_display_name },
    videoChannels: [{ id: row.channel_id, name: row.channel_name, displayName: `Main ${row.username} channel` }],
  };
}
