"""What a block of the demo town can be, as tables the SQL stages join.

A block type fixes the lot width, whether the block holds two rows of lots back
to back or one row running its full depth, the land use of its lots, the register
groups of their owners and the buildings on them. Codes are small integers so the
big temporary tables stay narrow.
"""
from dataclasses import dataclass

from .layout import RURAL, URBAN

ROAD = 0  # block type of the road parcels around every block


@dataclass(frozen=True)
class BlockType:
    code: int
    kind: int
    symbol: str  # local plan (MPZP) symbol of the block
    lot_width: float  # target lot width along the street; 0: one lot per block
    rows: int  # 2: two rows of lots back to back, 1: lots run the block's full depth


BLOCK_TYPES = (
    BlockType(1, URBAN, "MN", 20, 2),
    BlockType(2, URBAN, "MW", 48, 2),
    BlockType(3, URBAN, "U", 30, 2),
    BlockType(4, URBAN, "P", 55, 1),
    BlockType(5, URBAN, "ZP", 0, 1),
    BlockType(11, RURAL, "R", 28, 1),
    BlockType(12, RURAL, "R", 34, 1),  # meadows and pastures
    BlockType(13, RURAL, "ZL", 0, 1),  # forest
)

# Share of each block type by distance band from the town centre (0 centre .. 2 edge).
BLOCK_MIX = {
    (URBAN, 0): {1: 0.30, 2: 0.30, 3: 0.22, 4: 0.08, 5: 0.10},
    (URBAN, 1): {1: 0.60, 2: 0.12, 3: 0.12, 4: 0.08, 5: 0.08},
    (URBAN, 2): {1: 0.72, 2: 0.05, 3: 0.07, 4: 0.10, 5: 0.06},
    (RURAL, 0): {11: 0.68, 12: 0.17, 13: 0.15},
}

# Land-use class codes: (code, OFU, OZU, OZK). R/Br codes 10+s / 20+s use soil step s.
ARABLE_CLASSES = ("IIIa", "IIIb", "IVa", "IVb", "V", "VI")
LAND_USE_CLASSES = (
    (1, "B", "", ""), (2, "Bi", "", ""), (3, "Ba", "", ""), (4, "Bz", "", ""), (5, "dr", "", ""),
    *((10 + s, "R", "R", c) for s, c in enumerate(ARABLE_CLASSES)),
    *((20 + s, "Br", "R", c) for s, c in enumerate(ARABLE_CLASSES)),
    (30, "Ł", "Ł", "III"), (31, "Ł", "Ł", "IV"), (32, "Ł", "Ł", "V"),
    (33, "Ps", "Ps", "IV"), (34, "Ps", "Ps", "V"),
    (40, "Ls", "Ls", "IV"), (41, "Ls", "Ls", "V"),
)
# The single land use of each block type's lots (strip fields get theirs in SQL).
LAND_USE_OF_BLOCK = {ROAD: 5, 1: 1, 2: 1, 3: 2, 4: 3, 5: 4}

# Register group of a lot's register unit by block type: cumulative shares.
# EGiB groups: 1 State Treasury, 3 state companies, 4 gmina, 6 gmina companies,
# 7 natural persons, 8 cooperatives, 9 churches.
REGISTER_MIX = {
    1: {7: 0.92, 4: 0.03, 9: 0.03, 6: 0.02},
    2: {8: 0.45, 7: 0.45, 6: 0.10},
    3: {7: 0.55, 4: 0.15, 3: 0.10, 6: 0.10, 9: 0.10},
    4: {7: 0.50, 3: 0.30, 6: 0.20},
    11: {7: 0.96, 4: 0.04},
    12: {7: 0.96, 4: 0.04},
}


@dataclass(frozen=True)
class BuildingRule:
    """Footprint rule: distances from the street front and widths in metres."""

    code: int  # block type, or FARM for farmsteads on strip fields
    probability: float
    setback: tuple[float, float]
    depth: tuple[float, float]
    width: tuple[float, float]
    storeys: tuple[int, int]
    basement: float  # probability of one storey below ground
    kst: str  # comma-separated KST classes to draw from (repeat one to weight it)
    # A second, smaller building behind the first: probability, KST, depth, width.
    second: tuple[float, str, tuple[float, float], tuple[float, float]] = (0.0, "", (0, 0),
                                                                           (0, 0))


FARM = 21
BUILDING_RULES = (
    BuildingRule(1, 0.88, (4, 8), (9, 13), (8, 13), (1, 2), 0.4,
                 "1110,1110,1110,1110,1110,1121", (0.25, "1242", (5, 6.5), (3.5, 6))),
    BuildingRule(2, 0.92, (5, 8), (11, 14), (24, 40), (4, 5), 1.0, "1122"),
    BuildingRule(3, 0.85, (3, 6), (12, 20), (14, 26), (1, 3), 0.3,
                 "1230,1230,1230,1220,1220,1211,1261,1263,1264"),
    BuildingRule(4, 0.80, (8, 12), (20, 40), (25, 45), (1, 2), 0.0, "1251,1251,1252"),
    BuildingRule(FARM, 1.0, (5, 8), (9, 11), (8, 11), (1, 2), 0.5, "1110",
                 (1.0, "1271", (10, 16), (10, 16))),
)
FARM_SHARE = 0.12  # strips of arable blocks that carry a farmstead at the road end
