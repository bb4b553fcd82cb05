"""Service areas: the gemeenten an entry is for (HSDS `service_area`), so that a lookup offers a
region's network or waiting support only to the gemeenten it serves.

The `service_area` column is written as people write it: gemeente names or CBS codes
(GM0344), separated by ';'. An entry without one serves, by default, its own gemeente when it
is local and has one, else every gemeente of its zorgkantoorregio; a national entry serves
everyone. A service area may cross zorgkantoorregio borders.
"""
from __future__ import annotations

import re

import pandas as pd

from ..geodata.dataset import GeoData
from .schema import NATIONAL, Problem, shown, split_list

_CODE = re.compile(r"^GM\d{4}$", re.IGNORECASE)
# Names people use for a gemeente whose CBS name is another.
ALIASES = {"den haag": "'s-gravenhage", "den bosch": "'s-hertogenbosch"}
AMBIGUOUS = ""  # a short name two gemeenten share ('Bergen': Bergen (L.) or Bergen (NH.))


def _lookup(gemeenten: pd.DataFrame) -> dict[str, str]:
    """Lower-case names, short names (without CBS's '(Z.)'), aliases and codes -> CBS code; a
    short name two gemeenten share -> AMBIGUOUS."""
    official = gemeenten["name"].str.lower()
    short = official.str.replace(r"\s*\(.*\)$", "", regex=True)
    shared = set(short[short.duplicated()])
    by_name = {name: AMBIGUOUS if name in shared else code for name, code in zip(short, gemeenten["code"])}
    by_name.update(zip(official, gemeenten["code"]))
    by_name.update({alias: by_name[name] for alias, name in ALIASES.items() if name in by_name})
    by_name.update({code.lower(): code for code in gemeenten["code"]})
    return by_name


def _written(values: pd.Series) -> pd.Series:
    """Every gemeente written in the cells, one per line, indexed by the cell's row."""
    return values.fillna("").map(split_list).explode().dropna()


def codes(values: pd.Series, geo: GeoData) -> pd.Series:
    """The known gemeenten written in the cells as CBS codes, one per line, indexed by row."""
    found = _written(values).str.lower().map(_lookup(geo.gemeenten))
    return found[found.notna() & (found != AMBIGUOUS)]


def problems(frame: pd.DataFrame, geo: GeoData) -> list[Problem]:
    """Each written part that is not one gemeente of the geodata, and a service area on a
    national entry (which serves everyone)."""
    by_name = _lookup(geo.gemeenten)
    written = _written(frame["service_area"])
    code = written.str.lower().map(by_name)
    found = [Problem(int(row) + 2, "service_area", "een landelijk item is voor iedereen; laat het werkgebied leeg")
             for row in written.index.unique() if frame.at[row, "scope"] == "landelijk"]
    for row, name in written[code.isna()].items():
        hint = "een CBS-code zoals GM0344" if _CODE.match(name) else "de naam zoals het CBS hem schrijft"
        found.append(Problem(int(row) + 2, "service_area",
                             f"'{shown(name)}' is geen gemeente die wij kennen; gebruik {hint}, en scheid gemeenten met ;"))
    official = geo.gemeenten["name"]
    for row, name in written[code == AMBIGUOUS].items():
        options = official[official.str.lower().str.startswith(name.lower() + " (")]
        found.append(Problem(int(row) + 2, "service_area",
                             f"'{shown(name)}' kan meer gemeenten zijn: schrijf {' of '.join(sorted(options))}"))
    return sorted(found, key=lambda problem: problem.row)


def basis(entries: pd.DataFrame, geo: GeoData) -> pd.Series:
    """How each entry's service area is known: 'given' (its service_area), 'gemeente' (a local
    entry's own), 'region' (its zorgkantoorregio's); '' for a national entry."""
    given = entries.index.isin(codes(entries["service_area"], geo).index)
    local = (entries["scope"] == "lokaal") & geo.gemeente_codes(entries["gemeente"].fillna("")).notna()
    kind = pd.Series("region", index=entries.index).mask(local, "gemeente").mask(given, "given")
    return kind.mask(entries["zorgkantoorregio"] == NATIONAL, "")


def served(entries: pd.DataFrame, geo: GeoData, how: pd.Series | None = None) -> pd.DataFrame:
    """Which gemeenten each entry serves: one row per (entry, gemeente_code), `entry` being the
    entries' index label; national entries have none (they serve everyone). `how`: basis(), if
    worked out already."""
    how = basis(entries, geo) if how is None else how
    given = codes(entries["service_area"], geo)
    own = geo.gemeente_codes(entries["gemeente"].fillna(""))[how == "gemeente"]
    regional = entries.loc[how == "region", ["zorgkantoorregio"]].rename_axis("entry").reset_index()
    of_region = regional.merge(geo.gemeenten[["region_code", "code"]].reset_index(drop=True),
                               left_on="zorgkantoorregio", right_on="region_code")
    parts = [pd.DataFrame({"entry": series.index, "gemeente_code": series.to_numpy()}) for series in (given, own)]
    parts.append(of_region[["entry", "code"]].rename(columns={"code": "gemeente_code"}))
    return pd.concat(parts, ignore_index=True).drop_duplicates()


def names(area_codes, geo: GeoData) -> list[str]:
    """The gemeenten's CBS names, in the order given."""
    known = geo.gemeenten["name"]
    return [known[code] for code in area_codes if code in known.index]
