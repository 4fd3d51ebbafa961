-- Where each account chatted from (the salted hash of the address its chat sockets came from): a ban
-- or timeout of the account covers these addresses too, for its duration, so that logging out and
-- chatting anonymously does not get around it.
CREATE TABLE chat_account_addresses (
  account_id integer NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
  ip_hash text NOT NULL,
  last_seen timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, ip_hash)
);
CREATE INDEX chat_account_addresses_seen ON chat_account_addresses (account_id, last_seen DESC);

-- Slow mode holds anonymous viewers by address (an anonId is the client's to change).
CREATE INDEX chat_messages_author_ip ON chat_messages (room_id, author_ip_hash, id DESC) WHERE author_ip_hash IS NOT NULL;
