-- The catalogue version at which each region was last written: a running app that notices a new
-- catalogue_version reads only the regions written since it last read them.
CREATE TABLE region_versions (
    region text PRIMARY KEY,
    version bigint NOT NULL
);
INSERT INTO region_versions (region, version)
SELECT DISTINCT zorgkantoorregio, (SELECT version FROM catalogue_version) FROM entries;
