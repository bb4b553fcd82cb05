"""What only the PostGIS backend has: migrations, `db load`, the KNN index, clear database errors."""
import psycopg
import pytest

from routekaart import ROOT, create_app
from routekaart.catalogue import files
from routekaart.catalogue.postgis import _NEAREST, PostgisStore, drop_tables, migrate
from routekaart.catalogue.schema import COLUMNS

from .conftest import fresh_database, postgis_url


@pytest.fixture()
def database(geodata_dir, tmp_path):
    url = fresh_database()
    app = create_app({"TESTING": True, "DATA_DIR": str(geodata_dir), "DATABASE_URL": url,
                      "CATALOGUE_DIR": str(ROOT / "regions")})
    return url, app


def test_migrations_run_once_and_match_the_schema(database):
    url, _ = database
    assert migrate(url) == [], "already applied"
    with psycopg.connect(url) as conn:
        columns = [row[0] for row in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'entries' ORDER BY ordinal_position")]
    # Columns added later come after geom (PostgreSQL adds at the end); COPY names them, so order is free.
    assert sorted(columns) == sorted([*COLUMNS, "geom"]), "a new catalogue column needs a migration"


def test_db_load_copies_the_files_and_the_knn_index_serves_nearest(database):
    url, app = database
    result = app.test_cli_runner().invoke(args=["db", "load"])
    assert result.exit_code == 0, result.output
    assert PostgisStore(url).read_all().equals(files.read_all(ROOT / "regions"))
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*) FROM entries WHERE geom IS NOT NULL").fetchone()[0] > 100
        conn.execute("SET enable_seqscan = off")  # the catalogue is small; show that the index can answer
        plan = "\n".join(row[0] for row in conn.execute(
            "EXPLAIN " + _NEAREST, {"x": 136000, "y": 455000, "limit": 5, "max_m": None}))
    assert "Index Scan using entries_geom" in plan and "Sort" not in plan


def test_a_database_without_tables_gives_a_clear_message(geodata_dir, tmp_path):
    url = postgis_url()
    drop_tables(url)
    app = create_app({"TESTING": True, "DATA_DIR": str(geodata_dir), "DATABASE_URL": url})
    result = app.test_cli_runner().invoke(args=["data", "stale"])
    assert result.exit_code != 0
    assert "De database gaf een fout" in result.output and "routekaart db migrate" in result.output


def test_migration_004_moves_the_hours_in_words_to_schedule_note(tmp_path):
    """Also in the kept versions, so a rollback to one puts its hours where they now belong."""
    import shutil

    from routekaart.catalogue.postgis import MIGRATIONS

    MIGRATION = "004_service_area_schedule.sql"

    url = postgis_url()
    drop_tables(url)
    earlier = tmp_path / "migrations"
    earlier.mkdir()
    for path in sorted(MIGRATIONS.glob("*.sql")):
        if path.name < MIGRATION:
            shutil.copy(path, earlier)
    migrate(url, earlier)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO entries (id, name, schedule) VALUES ('testpunt-een', 'Testpunt Een', 'wo middag')")
        conn.execute("""INSERT INTO entry_versions (region, rows) VALUES ('ZK23',
                        '[{"id": "testpunt-een", "schedule": "do avond"}, {"id": "testpunt-twee", "schedule": ""}]')""")
    assert migrate(url) == [MIGRATION]
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT schedule, schedule_note, service_area FROM entries").fetchone() == (
            "", "wo middag", "")
        (rows,) = conn.execute("SELECT rows FROM entry_versions").fetchone()
    assert rows == [{"id": "testpunt-een", "schedule": "", "schedule_note": "do avond"},
                    {"id": "testpunt-twee", "schedule": ""}]
