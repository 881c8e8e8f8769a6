-- fluxplay's shared state. One schema for SQLite and PostgreSQL: only types both
-- read the same way (TEXT, BIGINT). Times are Unix milliseconds, money
-- is micro-dollars, so nothing is a float.

-- Every generation that reached a provider (or its emulator), kept or failed.
CREATE TABLE generations (
    id TEXT PRIMARY KEY,            -- unguessable: the permalink /r/{id}
    visitor TEXT NOT NULL,          -- the anonymous visitor cookie that asked for it
    created BIGINT NOT NULL,
    model TEXT NOT NULL,            -- catalog slug
    params TEXT NOT NULL,           -- JSON object, as sent (seed included)
    seed BIGINT,
    ok BIGINT NOT NULL,             -- 1 kept, 0 failed (BOOLEAN reads differently per engine)
    emulated BIGINT NOT NULL,
    request_id TEXT NOT NULL,
    total_ms BIGINT NOT NULL,
    cost_micro_usd BIGINT,          -- the estimate the budget counted, where there is one
    outcome TEXT NOT NULL           -- JSON: the GenerateResponse, or the ApiError
);
CREATE INDEX generations_by_visitor ON generations (visitor, created);
CREATE INDEX generations_by_time ON generations (created);

-- Which stored images each generation holds (images are content-addressed and shared).
CREATE TABLE generation_images (
    generation TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (generation, name)
);
CREATE INDEX generation_images_by_name ON generation_images (name);

-- Jobs, so any replica answers a poll. `seq` orders the writes of one job.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    state TEXT NOT NULL,
    updated BIGINT NOT NULL
);
CREATE INDEX jobs_by_time ON jobs (updated);

-- The daily budget, reserved atomically by one upsert.
CREATE TABLE budget (
    day BIGINT PRIMARY KEY,         -- days since the epoch, UTC
    images BIGINT NOT NULL,
    micro_usd BIGINT NOT NULL
);

-- Generations running now, all replicas together; a lease outlives a crashed replica only until `expires`.
CREATE TABLE slots (
    id TEXT PRIMARY KEY,
    expires BIGINT NOT NULL
);
-- A row to lock, so that counting the slots and taking one is one step on every engine.
CREATE TABLE locks (
    name TEXT PRIMARY KEY,
    taken BIGINT NOT NULL
);
INSERT INTO locks (name, taken) VALUES ('slots', 0);

-- Reference images people uploaded: their size (for estimates) and age (for the quota).
CREATE TABLE uploads (
    name TEXT PRIMARY KEY,
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    bytes BIGINT NOT NULL,
    created BIGINT NOT NULL
);
CREATE INDEX uploads_by_time ON uploads (created);
