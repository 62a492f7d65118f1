"""The plan of the demo gmina, worked out in Python before any row is written.

The gmina is a grid of square slots, one cadastral precinct each, filled in a
square spiral from the centre: the first `urban_slots` are town precincts (street
blocks), the rest villages with strip fields. Each slot is cut into cells (a block
plus the road along its bottom and left side) by the SQL stages; this module only
decides sizes and which slot goes where. Cell and lot counts per slot are known
only in SQL, so slots are planned with a margin and the unused ones are dropped.
"""
import hashlib
import math
from dataclasses import dataclass
from itertools import count, islice

from pyproj import Transformer

from .names import DISTRICTS, VILLAGES

URBAN = 1
RURAL = 2

BASE_SLOT_M = 800
# Expected parcels in one full slot of BASE_SLOT_M, measured on generated data.
URBAN_PARCELS_PER_SLOT = 560
RURAL_PARCELS_PER_SLOT = 60
URBAN_SHARE = 0.7
MAX_PRECINCTS = 9999
DEFAULT_CENTER = (16.1610, 51.2070)  # Legnica, lon/lat


@dataclass(frozen=True)
class Slot:
    index: int  # 0-based spiral order; the precinct number is index + 1
    gx: int
    gy: int
    kind: int  # URBAN or RURAL
    x0: float  # lower-left corner, EPSG:2180 metres
    y0: float
    name: str


@dataclass(frozen=True)
class Layout:
    parcels: int
    seed: int
    key: int  # 63-bit hash key of the seed, for the SQL hash functions
    slot_m: int
    urban_slots: int
    slots: tuple[Slot, ...]

    @property
    def radius(self) -> int:
        """Largest |gx| or |gy| of any slot: street indices are offset by it."""
        return max(max(abs(s.gx), abs(s.gy)) for s in self.slots)


def seed_key(seed: int) -> int:
    digest = hashlib.sha256(f"geo_portal demo {seed}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def center_to_2180(lon: float, lat: float) -> tuple[float, float]:
    x, y = Transformer.from_crs(4326, 2180, always_xy=True).transform(lon, lat)
    # Whole metres: slot corners then add up exactly, so neighbours share edges bit for bit.
    return float(round(x)), float(round(y))


def slot_size(parcels: int) -> int:
    """800 m up to a million parcels, then larger so the precinct count stays ~6000."""
    return int(round(BASE_SLOT_M * max(1.0, math.sqrt(parcels / 1_000_000)) / 10) * 10)


def spiral():
    """Grid positions in square rings around (0, 0), counter-clockwise, integers only."""
    yield 0, 0
    for ring in count(1):
        x, y = ring, -ring
        for dx, dy in ((0, 1), (-1, 0), (0, -1), (1, 0)):
            for _ in range(2 * ring):
                x, y = x + dx, y + dy
                yield x, y


def _slot_name(kind: int, index: int, urban_slots: int) -> str:
    if kind == URBAN:
        district, number = divmod(index, 6)  # six precincts per district
        again, name = divmod(district, len(DISTRICTS))
        return f"{DISTRICTS[name]} {again * 6 + number + 1}"
    again, village = divmod(index - urban_slots, len(VILLAGES))
    return VILLAGES[village] if again == 0 else f"{VILLAGES[village]} {again + 1}"


def plan(*, parcels: int, seed: int, center: tuple[float, float]) -> Layout:
    size = slot_size(parcels)
    scale = (size / BASE_SLOT_M) ** 2
    urban = max(1, round(URBAN_SHARE * parcels / (URBAN_PARCELS_PER_SLOT * scale)))
    rural_left = max(0.0, parcels - urban * URBAN_PARCELS_PER_SLOT * scale)
    total = urban + math.ceil(rural_left / (0.75 * RURAL_PARCELS_PER_SLOT * scale)) + 2
    # Precinct numbers have four digits; the SQL stage reports it if that is not enough.
    total = min(total, MAX_PRECINCTS)
    cx, cy = center_to_2180(*center)
    slots = tuple(
        Slot(i, gx, gy, URBAN if i < urban else RURAL, cx - size / 2 + gx * size,
             cy - size / 2 + gy * size, _slot_name(URBAN if i < urban else RURAL, i, urban))
        for i, (gx, gy) in enumerate(islice(spiral(), total))
    )
    return Layout(parcels, seed, seed_key(seed), size, urban, slots)
