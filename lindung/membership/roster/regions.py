"""Villages by name: a roster's KELURAHAN (+ KECAMATAN, + KABUPATEN/KOTA) names resolved to the
official village code inside the agreement's region.

Names are compared normalised (case, spacing and punctuation ignored; prefixes such as "Kel.",
"Kelurahan", "Desa", "Kec.", "Kab.", "Kota" dropped) and, when no name is equal, by similarity
(rapidfuzz's ``WRatio`` over the villages of the district when one is given): one clear best match
within ``MIN_SCORE`` wins; otherwise the row error names the closest candidates. A name is only
ever looked up inside the region; a village of the same name elsewhere is not a candidate.
"""

from __future__ import annotations

import re
from collections import defaultdict

from rapidfuzz import fuzz, process

from lindung.membership.roster.layout import normalise
from lindung.registry.models import Region

MIN_SCORE = 85  # similarity (0-100) a misspelt name must reach
MARGIN = 4  # ... and by which it must beat the second best
_WITH_DISTRICT = re.compile(r"(.+?)\s*\((?:kec\.?|kecamatan)\s*(.+)\)", re.IGNORECASE)

_PREFIXES = {
    "village": ("kelurahan", "kel", "desa", "ds", "kampung", "kp", "nagari", "gampong"),
    "district": ("kecamatan", "kec", "distrik"),
    "regency": ("kabupaten", "kab", "kota", "kotamadya", "kab kota"),
}


def clean(text, level: str) -> str:
    name = normalise(text)
    for prefix in sorted(_PREFIXES[level], key=len, reverse=True):
        if name.startswith(prefix + " "):
            return name[len(prefix) + 1 :]
    return name


class RegionNames:
    """The villages under ``root`` (a region code) by name; ``resolve`` gives a code or a problem."""

    def __init__(self, root: str):
        qs = Region.objects.filter(code__startswith=root).values_list("code", "name", "level", "parent_id")
        rows = [r for r in qs if r[0] == root or r[0].startswith(root + ".")]
        names = {code: name for code, name, _l, _p in rows}
        parents = {code: parent for code, _n, _l, parent in rows}
        self.villages: list[tuple[str, str, str, str]] = []  # code, village, district, regency (cleaned)
        for code, name, level, parent in rows:
            if level != Region.Level.VILLAGE:
                continue
            regency_code = parents.get(parent)
            self.villages.append(
                (code, clean(name, "village"), clean(names.get(parent, ""), "district"), clean(names.get(regency_code, ""), "regency"))
            )
        self.names, self.parents = names, parents
        self.label = {code: f"{names[code]} (Kec. {names.get(parents.get(code), '?')})" for code, *_ in self.villages}
        self.by_name: dict[str, list[int]] = defaultdict(list)
        for i, (_code, village, _d, _r) in enumerate(self.villages):
            self.by_name[village].append(i)
        self._cache: dict[tuple[str, str, str], tuple[str | None, str, str]] = {}

    def villages_for_template(self) -> list[tuple[str, str, str]]:
        """(code, kelurahan, kecamatan) of every village, for the roster template."""
        return [(code, self.names[code], self.names.get(self.parents.get(code), "")) for code, *_ in self.villages]

    def resolve(self, village: str, district: str = "", regency: str = "") -> tuple[str | None, str, str]:
        """``(code, "", "")`` or ``(None, reason, note)`` with reason ``region_name_unknown`` or
        ``region_name_ambiguous`` and a note naming the closest candidates."""
        if not district and (m := _WITH_DISTRICT.fullmatch(village.strip())):
            village, district = m.group(1), m.group(2)  # "Bukit Kapur (Kec. Bukit Kapur)", as the template lists it
        key = (clean(village, "village"), clean(district, "district"), clean(regency, "regency"))
        if key not in self._cache:
            self._cache[key] = self._resolve(*key)
        return self._cache[key]

    def _within(self, candidates: list[int], district: str, regency: str) -> list[int]:
        if district:
            exact = [i for i in candidates if self.villages[i][2] == district]
            candidates = exact or [i for i in candidates if fuzz.ratio(self.villages[i][2], district) >= MIN_SCORE]
        if regency:
            candidates = [i for i in candidates if not self.villages[i][3] or fuzz.ratio(self.villages[i][3], regency) >= MIN_SCORE]
        return candidates

    def _resolve(self, village: str, district: str, regency: str) -> tuple[str | None, str, str]:
        if not village:
            return None, "missing_field", ""
        exact = self._within(self.by_name.get(village, []), district, regency)
        if len(exact) == 1:
            return self.villages[exact[0]][0], "", ""
        if len(exact) > 1:
            return None, "region_name_ambiguous", self._names(exact)
        pool = self._within(list(range(len(self.villages))), district, regency) or list(range(len(self.villages)))
        choices = {i: self.villages[i][1] for i in pool}
        found = process.extract(village, choices, scorer=fuzz.WRatio, limit=3)
        if found and found[0][1] >= MIN_SCORE and (len(found) == 1 or found[0][1] - found[1][1] >= MARGIN):
            return self.villages[found[0][2]][0], "", ""
        return None, "region_name_unknown", self._names([i for _n, _s, i in found])

    def _names(self, indexes: list[int]) -> str:
        return ", ".join(self.label[self.villages[i][0]] for i in indexes[:3])
