-- The server process that runs a live session, by the advisory-lock key it holds while alive
-- (db/process-lock.ts). At start-up, a process closes only the open sessions of processes that are
-- gone, so several processes can share one database.
ALTER TABLE live_sessions ADD COLUMN owner_lock bigint;
