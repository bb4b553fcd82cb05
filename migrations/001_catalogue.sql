-- The catalogue in PostGIS: the columns of catalogue/schema.py COLUMNS as text (as in the CSV
-- files), plus the placed point in RD New (EPSG:28992, metres) for the nearest-entry query.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE entries (
    id text PRIMARY KEY,
    name text NOT NULL DEFAULT '',
    kind text NOT NULL DEFAULT '',
    status text NOT NULL DEFAULT '',
    organization text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    audience text NOT NULL DEFAULT '',
    audience_groups text NOT NULL DEFAULT '',
    fees_description text NOT NULL DEFAULT '',
    free text NOT NULL DEFAULT '',
    referral_needed text NOT NULL DEFAULT '',
    scope text NOT NULL DEFAULT '',
    zorgkantoorregio text NOT NULL DEFAULT '',
    location_type text NOT NULL DEFAULT '',
    address_1 text NOT NULL DEFAULT '',
    postal_code text NOT NULL DEFAULT '',
    city text NOT NULL DEFAULT '',
    gemeente text NOT NULL DEFAULT '',
    latitude text NOT NULL DEFAULT '',
    longitude text NOT NULL DEFAULT '',
    phones text NOT NULL DEFAULT '',
    email text NOT NULL DEFAULT '',
    url text NOT NULL DEFAULT '',
    schedule text NOT NULL DEFAULT '',
    general_walk_in text NOT NULL DEFAULT '',
    source_url text NOT NULL DEFAULT '',
    source_seen text NOT NULL DEFAULT '',
    last_verified text NOT NULL DEFAULT '',
    verified_by text NOT NULL DEFAULT '',
    last_edited text NOT NULL DEFAULT '',
    notes text NOT NULL DEFAULT '',
    geom geometry(Point, 28992)
);
CREATE INDEX entries_region ON entries (zorgkantoorregio);
-- KNN: ORDER BY geom <-> point uses this index.
CREATE INDEX entries_geom ON entries USING gist (geom);

-- Earlier versions of a region, kept by every replacement (for rollback).
CREATE TABLE entry_versions (
    id bigserial PRIMARY KEY,
    region text NOT NULL,
    saved_at timestamptz NOT NULL DEFAULT now(),
    rows jsonb NOT NULL
);
CREATE INDEX entry_versions_region ON entry_versions (region, id DESC);

-- One number that every write increases: app servers compare it to notice a new catalogue.
CREATE TABLE catalogue_version (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint NOT NULL
);
INSERT INTO catalogue_version VALUES (true, 0);

