"""Build the runtime dataset: regions, gemeenten and PC4 points joined once, at build time.

A zorgkantoorregio is a union of whole gemeenten, so a postcode gets the region of its
gemeente rather than of whatever generalised polygon its point happens to fall in. The
output folder is git-ignored: it is derived from third-party open data.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import geopandas as gpd
import pandas as pd

from . import sources as source_files
from .sources import RD_NEW, Sources, read_folder


def gemeente_regions(gemeenten: gpd.GeoDataFrame, regions: gpd.GeoDataFrame) -> pd.Series:
    """gemeente code -> region code, by largest overlap (the layers are generalised ~100 m)."""
    pieces = gpd.overlay(
        gemeenten[["code", "geometry"]].to_crs(RD_NEW),
        regions[["code", "geometry"]].rename(columns={"code": "region_code"}).to_crs(RD_NEW),
        how="intersection",
        keep_geom_type=True,
    )
    pieces["area"] = pieces.area
    best = pieces.sort_values("area").drop_duplicates("code", keep="last")
    mapping = best.set_index("code")["region_code"]
    unmatched = set(gemeenten["code"]) - set(mapping.index)
    if unmatched:  # a gemeente entirely outside every region polygon: take the nearest
        lost = gemeenten[gemeenten["code"].isin(unmatched)].to_crs(RD_NEW)
        near = gpd.sjoin_nearest(lost[["code", "geometry"]],
                                 regions[["code", "geometry"]].rename(columns={"code": "region_code"}).to_crs(RD_NEW))
        mapping = pd.concat([mapping, near.set_index("code")["region_code"]])
    return mapping


def place_pc4(pc4: pd.DataFrame, gemeenten: gpd.GeoDataFrame, regions_of: pd.Series) -> gpd.GeoDataFrame:
    """Give every PC4 point a gemeente and a region, and say how (and whether it spans regions)."""
    points = gpd.GeoDataFrame(pc4.copy(), geometry=gpd.points_from_xy(pc4["lon"], pc4["lat"]), crs="EPSG:4326")
    points = points.to_crs(RD_NEW)
    known = points["gemeente_code"].isin(regions_of.index)
    points["region_method"] = "gemeente"

    # No (current) gemeente code in the source: the polygon the point lies in, else the nearest.
    lost = points.loc[~known, ["pc4", "geometry"]]
    if len(lost):
        areas = gemeenten[["code", "geometry"]].to_crs(RD_NEW)
        hit = gpd.sjoin(lost, areas, predicate="within").drop_duplicates("pc4").set_index("pc4")["code"]
        near = gpd.sjoin_nearest(lost[~lost["pc4"].isin(hit.index)], areas).drop_duplicates("pc4").set_index("pc4")["code"]
        fill = pd.concat([hit, near])
        points.loc[~known, "gemeente_code"] = points.loc[~known, "pc4"].map(fill)
        points.loc[~known, "region_method"] = points.loc[~known, "pc4"].map(
            lambda code: "polygon" if code in hit.index else "nearest")

    names = gemeenten.set_index("code")["name"]
    points["gemeente"] = points["gemeente_code"].map(names)
    points["region_code"] = points["gemeente_code"].map(regions_of)

    # A PC4 whose places lie in gemeenten of more than one region: name the other regions.
    codes = points["all_gemeente_codes"].fillna("").str.split(";").explode()
    spans = pd.DataFrame({"pc4": points.loc[codes.index, "pc4"].values, "region": codes.map(regions_of).values})
    spans = spans.dropna().drop_duplicates()
    spans = spans.merge(points[["pc4", "region_code"]], on="pc4")
    others = spans[spans["region"] != spans["region_code"]].groupby("pc4")["region"].agg(";".join)
    points["other_regions"] = points["pc4"].map(lambda code: others.get(code, ""))

    points["x"], points["y"] = points.geometry.x, points.geometry.y
    return points.to_crs("EPSG:4326")


def gemeente_provinces(pc4: pd.DataFrame) -> pd.Series:
    """gemeente code -> province, as the PC4 source names it for most of the gemeente's postcodes
    (a gemeente lies in one province; the source's province comes from GeoNames and CBS)."""
    known = pc4[pc4["province"].fillna("") != ""]
    counts = known.value_counts(["gemeente_code", "province"]).reset_index()  # most frequent first
    return counts.drop_duplicates("gemeente_code").set_index("gemeente_code")["province"]


def _checksums(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(Path(folder).iterdir())
        if path.suffix in {".csv", ".geojson"}
    }


def build_frames(sources: Sources) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    regions_of = gemeente_regions(sources.gemeenten, sources.regions)
    pc4 = place_pc4(sources.pc4, sources.gemeenten, regions_of)
    gemeenten = sources.gemeenten.assign(region_code=sources.gemeenten["code"].map(regions_of),
                                         province=sources.gemeenten["code"].map(gemeente_provinces(pc4)).fillna(""))
    population = sources.population.drop_duplicates("pc4").set_index("pc4")["inhabitants"]
    pc4["inhabitants"] = pc4["pc4"].map(population)
    keep = ["pc4", "lat", "lon", "x", "y", "place", "all_places", "gemeente_code", "all_gemeente_codes", "gemeente",
            "region_code", "region_method", "other_regions", "inhabitants", "geometry"]
    return {"regions": sources.regions, "gemeenten": gemeenten, "pc4": pc4[keep]}


def build(source: Path, out: Path, say=lambda line: None) -> dict:
    """Read the source folder, write the runtime dataset to `out` atomically, return its metadata.
    Without inhabitant figures the dataset is still built, with a warning in its metadata."""
    source, out = Path(source), Path(out)
    say(f"Bronmap lezen: {source}")
    read = read_folder(source)
    say("Postcodes aan gemeenten en zorgkantoorregio's koppelen")
    frames = build_frames(read)
    warnings = []
    if read.population["inhabitants"].notna().sum() == 0:
        warnings.append("Geen inwonertallen in de bron: de dekking toont inwoners als onbekend.")
    meta = {
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "source": str(source.resolve()),
        "source_files": _checksums(source),
        "sources": source_files.describe(source, read),
        "counts": {name: int(len(frame)) for name, frame in frames.items()},
        "population_year": source_files.population_year(read.population),
        "warnings": warnings,
    }
    with replaced_folder(out) as staging:
        for name, frame in frames.items():
            frame.to_parquet(staging / f"{name}.parquet")
        (staging / "meta.json").write_text(json.dumps(meta, indent=2))
    return meta


@contextmanager
def replaced_folder(target: Path):
    """A staging folder next to `target` that replaces it only when the block finishes: a failed or
    interrupted build or download leaves the old folder, never half a new one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        yield staging
        old = target.with_name(target.name + ".old")
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
