/**
 * Versioned schema of the SQLite store. `PRAGMA user_version` records how many migrations a
 * database has; opening applies the missing ones in order, each in its own transaction, and
 * refuses a database made by a newer micromine. Never edit a released migration: append one.
 * @module
 */

/** One schema step. */
export interface Migration {
  /** 1-based, contiguous. */
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

/**
 * Amounts are decimal TEXT (u64 does not fit SQLite's signed 64-bit INTEGER); binary values
 * are BLOBs; times are INTEGER milliseconds. CHECK constraints reject rows no code path should
 * write, so a bug fails at the write instead of corrupting the ledger.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'ledger, accounts, mempool, registry, results, rewards',
    sql: `
      CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE blocks (
        height       INTEGER PRIMARY KEY CHECK (height >= 0),
        hash         BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
        version      INTEGER NOT NULL,
        chain_id     INTEGER NOT NULL,
        time         INTEGER NOT NULL,
        prev_hash    BLOB NOT NULL CHECK (length(prev_hash) = 32),
        tx_root      BLOB NOT NULL CHECK (length(tx_root) = 32),
        credit_root  BLOB NOT NULL CHECK (length(credit_root) = 32),
        state_root   BLOB NOT NULL CHECK (length(state_root) = 32),
        tx_count     INTEGER NOT NULL CHECK (tx_count >= 0),
        credit_count INTEGER NOT NULL CHECK (credit_count >= 0)
      ) STRICT;

      CREATE TABLE block_txs (
        height INTEGER NOT NULL REFERENCES blocks (height),
        idx    INTEGER NOT NULL CHECK (idx >= 0),
        tx_id  BLOB NOT NULL UNIQUE CHECK (length(tx_id) = 32),
        tx     BLOB NOT NULL,
        PRIMARY KEY (height, idx)
      ) STRICT;

      CREATE TABLE block_credits (
        height  INTEGER NOT NULL REFERENCES blocks (height),
        idx     INTEGER NOT NULL CHECK (idx >= 0),
        account BLOB NOT NULL CHECK (length(account) = 32),
        amount  TEXT NOT NULL,
        PRIMARY KEY (height, idx)
      ) STRICT;

      CREATE TABLE accounts (
        pubkey  BLOB PRIMARY KEY CHECK (length(pubkey) = 32),
        slot    INTEGER NOT NULL UNIQUE CHECK (slot >= 0),
        balance TEXT NOT NULL,
        nonce   INTEGER NOT NULL CHECK (nonce >= 0)
      ) STRICT;

      CREATE TABLE mempool (
        tx_id       BLOB PRIMARY KEY CHECK (length(tx_id) = 32),
        tx          BLOB NOT NULL,
        sender      BLOB NOT NULL CHECK (length(sender) = 32),
        nonce       INTEGER NOT NULL CHECK (nonce >= 0),
        fee         TEXT NOT NULL,
        received_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE devices (
        id           TEXT PRIMARY KEY CHECK (length(id) = 16),
        key          BLOB NOT NULL CHECK (length(key) = 32),
        profile      TEXT NOT NULL,
        tier         TEXT NOT NULL CHECK (tier IN ('hash', 'sig')),
        owner        TEXT NOT NULL,
        reputation   INTEGER NOT NULL DEFAULT 0,
        suspended    INTEGER NOT NULL DEFAULT 0 CHECK (suspended IN (0, 1)),
        last_counter INTEGER NOT NULL DEFAULT 0 CHECK (last_counter >= 0),
        results      INTEGER NOT NULL DEFAULT 0,
        shares       INTEGER NOT NULL DEFAULT 0,
        created_at   INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE results (
        device_id   TEXT NOT NULL REFERENCES devices (id),
        counter     INTEGER NOT NULL CHECK (counter > 0),
        unit_id     INTEGER NOT NULL,
        result      BLOB NOT NULL,
        share       INTEGER NOT NULL CHECK (share IN (0, 1)),
        received_at INTEGER NOT NULL,
        PRIMARY KEY (device_id, counter)
      ) STRICT;

      CREATE TABLE verdicts (
        device_id   TEXT NOT NULL,
        counter     INTEGER NOT NULL,
        entry_index INTEGER NOT NULL CHECK (entry_index >= 0),
        tx_id       BLOB NOT NULL CHECK (length(tx_id) = 32),
        code        INTEGER NOT NULL CHECK (code BETWEEN 0 AND 255),
        PRIMARY KEY (device_id, counter, entry_index),
        FOREIGN KEY (device_id, counter) REFERENCES results (device_id, counter)
      ) STRICT;
      CREATE INDEX verdicts_by_tx ON verdicts (tx_id);

      CREATE TABLE rewards (
        id          INTEGER PRIMARY KEY,
        device_id   TEXT NOT NULL REFERENCES devices (id),
        account     BLOB NOT NULL CHECK (length(account) = 32),
        kind        TEXT NOT NULL CHECK (kind IN ('verdict', 'share')),
        amount      TEXT NOT NULL,
        unit_id     INTEGER NOT NULL,
        created_at  INTEGER NOT NULL,
        paid_height INTEGER REFERENCES blocks (height),
        voided      TEXT,
        CHECK (paid_height IS NULL OR voided IS NULL)
      ) STRICT;
      CREATE INDEX rewards_unpaid ON rewards (id) WHERE paid_height IS NULL AND voided IS NULL;
      CREATE INDEX rewards_by_height ON rewards (paid_height) WHERE paid_height IS NOT NULL;
    `,
  },
  {
    version: 2,
    description: 'rewards by device and time, for the hourly cap',
    sql: 'CREATE INDEX rewards_by_device_time ON rewards (device_id, created_at);',
  },
  {
    // Each result wrote its row, its primary-key index, a verdict row per entry with the
    // verdicts' own key index and an index by transaction id that nothing read: with a thousand
    // devices in a batch each of those device-keyed inserts lands on a page of its own. The
    // verdicts now ride in the result's row (a code byte and a transaction id per entry, in entry
    // order) and the row lives in its key's B-tree (WITHOUT ROWID): one insert per result.
    version: 3,
    description: 'verdicts inside their result row; results keyed by device and counter only',
    sql: `
      CREATE TABLE results_v3 (
        device_id   TEXT NOT NULL REFERENCES devices (id),
        counter     INTEGER NOT NULL CHECK (counter > 0),
        unit_id     INTEGER NOT NULL,
        result      BLOB NOT NULL,
        share       INTEGER NOT NULL CHECK (share IN (0, 1)),
        received_at INTEGER NOT NULL,
        codes       BLOB NOT NULL,
        tx_ids      BLOB NOT NULL CHECK (length(tx_ids) = 32 * length(codes)),
        PRIMARY KEY (device_id, counter)
      ) STRICT, WITHOUT ROWID;

      INSERT INTO results_v3 (device_id, counter, unit_id, result, share, received_at, codes, tx_ids)
      SELECT r.device_id, r.counter, r.unit_id, r.result, r.share, r.received_at,
        coalesce((SELECT unhex(group_concat(printf('%02x', v.code), '' ORDER BY v.entry_index)) FROM verdicts v
          WHERE v.device_id = r.device_id AND v.counter = r.counter), x''),
        coalesce((SELECT unhex(group_concat(hex(v.tx_id), '' ORDER BY v.entry_index)) FROM verdicts v
          WHERE v.device_id = r.device_id AND v.counter = r.counter), x'')
      FROM results r;

      DROP TABLE verdicts;
      DROP TABLE results;
      ALTER TABLE results_v3 RENAME TO results;
    `,
  },
  {
    // Every stored result updated its device's row in \`devices\` (about 150 bytes each: key,
    // owner, profile) and inserted into an index keyed by device and time, each a page of WAL of
    // its own per result in a batch spread over a thousand devices. The counters now live in a
    // narrow table (about 40 bytes a device: ten times fewer pages to dirty), which also keeps
    // the device's rewards of its latest clock hour, what the hourly cap reads, so the index goes.
    // A tally that would pass 2^63 - 1 stays there: the store then sums that hour's rows instead.
    version: 4,
    description: 'device counters and the hourly reward tally in a narrow table; no rewards index by device',
    sql: `
      CREATE TABLE device_counters (
        device_id    TEXT PRIMARY KEY REFERENCES devices (id),
        last_counter INTEGER NOT NULL DEFAULT 0 CHECK (last_counter >= 0),
        results      INTEGER NOT NULL DEFAULT 0,
        shares       INTEGER NOT NULL DEFAULT 0,
        reward_hour  INTEGER NOT NULL DEFAULT 0 CHECK (reward_hour >= 0),
        hour_rewards INTEGER NOT NULL DEFAULT 0 CHECK (hour_rewards >= 0)
      ) STRICT, WITHOUT ROWID;

      INSERT INTO device_counters (device_id, last_counter, results, shares, reward_hour, hour_rewards)
      SELECT d.id, d.last_counter, d.results, d.shares, coalesce(h.hour, 0),
        -- The float total only decides whether the exact sum fits (sum() fails on overflow).
        coalesce(CASE WHEN (SELECT total(CAST(r.amount AS INTEGER)) FROM rewards r WHERE r.device_id = d.id AND r.created_at >= h.hour * 3600000) < 9.0e18
          THEN (SELECT sum(CAST(r.amount AS INTEGER)) FROM rewards r WHERE r.device_id = d.id AND r.created_at >= h.hour * 3600000)
          ELSE 9223372036854775807 END, 0)
      FROM devices d LEFT JOIN (SELECT device_id, max(created_at) / 3600000 AS hour FROM rewards GROUP BY device_id) h ON h.device_id = d.id;

      ALTER TABLE devices DROP COLUMN last_counter;
      ALTER TABLE devices DROP COLUMN results;
      ALTER TABLE devices DROP COLUMN shares;
      DROP INDEX rewards_by_device_time;
    `,
  },
];
