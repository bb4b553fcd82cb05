"""Property tests on the catalogue validator: any spreadsheet content gives problems, never a crash."""
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from routekaart.catalogue import schema

cells = st.one_of(st.text(max_size=30), st.sampled_from(["", "ja", "nee", "52.1", "5,2", "0800-0113", "1234 AB",
                                                          "https://voorbeeld.invalid", "steunpunt", "ZK10"]))
rows = st.lists(st.fixed_dictionaries({column: cells for column in schema.COLUMNS}), min_size=0, max_size=8)


@settings(max_examples=150, deadline=None)
@given(rows, st.sampled_from([None, "ZK10", "landelijk"]))
def test_validate_never_crashes_and_points_at_real_cells(data, region):
    frame = pd.DataFrame(data, columns=schema.COLUMNS)
    problems = schema.validate(frame, region=region)
    for problem in problems:
        assert 2 <= problem.row <= len(frame) + 1
        assert problem.column in schema.COLUMNS
        assert problem.message
    # Rows with an empty required field are always reported.
    for index, row in frame.iterrows():
        for column in schema.REQUIRED:
            if not str(row[column]).strip():
                assert any(p.row == index + 2 and p.column == column for p in problems)


def _valid(i: int) -> dict:
    return {"id": f"testpunt-{i}", "name": f"Testpunt Voorbeeld {i}", "kind": "steunpunt", "scope": "lokaal",
            "source_url": "https://voorbeeld.invalid/bron"}


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 30), st.data())
def test_one_bad_cell_is_reported_once_at_its_row(n, data):
    frame = pd.DataFrame([_valid(i) for i in range(n)])
    bad_row = data.draw(st.integers(0, n - 1))
    frame.loc[bad_row, "kind"] = "geen-soort"
    problems = schema.validate(frame)
    assert [(p.row, p.column) for p in problems] == [(bad_row + 2, "kind")]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode)
       | st.text(max_size=400).map(lambda body: (",".join(schema.COLUMNS) + "\n" + body).encode()),
       st.sampled_from([".csv", ".xlsx", ".geojson"]))
def test_import_reads_any_bytes_as_rows_or_a_clear_file_problem(tmp_path_factory, raw, suffix):
    from routekaart.catalogue import importing

    path = tmp_path_factory.mktemp("fuzz") / f"bestand{suffix}"
    path.write_bytes(raw)
    try:
        frame = importing.read(path)
    except importing.FileProblem as problem:
        assert str(problem)
    else:
        assert set(frame.columns) <= set(schema.COLUMNS)
        importing.check(frame, "ZK10", schema.empty_frame())


json_values = st.recursive(st.none() | st.booleans() | st.floats(allow_nan=False) | st.text(max_size=10),
                           lambda children: st.lists(children, max_size=3)
                           | st.dictionaries(st.sampled_from(["type", "properties", "geometry", "coordinates", "id",
                                                              "name", "latitude"]), children, max_size=4),
                           max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(json_values, max_size=3))
def test_import_reads_any_geojson_features_or_says_what_is_wrong(tmp_path_factory, features):
    import json

    from routekaart.catalogue import importing

    path = tmp_path_factory.mktemp("fuzz") / "bestand.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    try:
        importing.read(path)
    except importing.FileProblem as problem:
        assert str(problem)
