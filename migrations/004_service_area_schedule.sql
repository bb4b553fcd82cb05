-- Service areas and opening hours (catalogue/schema.py): `service_area` lists the gemeenten an
-- entry is for (names or CBS codes, ';'-separated); `schedule` becomes the hours as data, and the
-- hours in words, which `schedule` held until now, move to `schedule_note`.
ALTER TABLE entries ADD COLUMN service_area text NOT NULL DEFAULT '';
ALTER TABLE entries ADD COLUMN schedule_note text NOT NULL DEFAULT '';
UPDATE entries SET schedule_note = schedule, schedule = '' WHERE schedule <> '';
-- Kept versions too, so that a rollback to one of them puts its hours in words where they belong.
UPDATE entry_versions SET rows = (
    SELECT jsonb_agg(CASE WHEN coalesce(r->>'schedule', '') <> '' AND NOT r ? 'schedule_note'
                          THEN r || jsonb_build_object('schedule_note', r->'schedule', 'schedule', '') ELSE r END
                     ORDER BY position)
    FROM jsonb_array_elements(rows) WITH ORDINALITY AS kept(r, position));
