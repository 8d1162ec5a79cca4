-- Counters other processes watch: masterdata_version goes up with every
-- load that changes master data, so a running serve drops its cache.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO meta (key, value) VALUES ('masterdata_version', 1);
