-- A cancel asked for a running job (any replica may ask; the one running it acts).
ALTER TABLE jobs ADD COLUMN cancel BIGINT NOT NULL DEFAULT 0;
