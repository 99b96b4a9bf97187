"""Sweden on a map: the one projection the shipped outline
(static/map/sweden.svg, made by scripts/build_sweden_map.py) and the server's
markers share, Sweden's bounds, and its regions (län) by postcode.

The projection is equirectangular around 62° N with one map unit per
kilometre: a radius in km is a radius on the map, and across Sweden the
distortion stays within what a map of outages needs.
"""

from __future__ import annotations

import math

# The map's extent (degrees) and its size in map units (km).
WEST, EAST, SOUTH, NORTH = 10.0, 25.0, 55.0, 69.5
KM_PER_DEGREE = 111.2
KM_PER_DEGREE_EAST = KM_PER_DEGREE * math.cos(math.radians(62.0))
WIDTH = round((EAST - WEST) * KM_PER_DEGREE_EAST)
HEIGHT = round((NORTH - SOUTH) * KM_PER_DEGREE)

# A position must lie in this box to be taken as "in Sweden" (the country's
# extremes with a little margin for the islands and the sea off the coast).
SWEDEN_BOUNDS = {"lat": (55.0, 69.2), "lon": (10.5, 24.3)}


def project(lat: float, lon: float) -> tuple[float, float]:
    """Map units (x to the east, y downwards) of a position."""
    return (
        round((lon - WEST) * KM_PER_DEGREE_EAST, 1),
        round((NORTH - lat) * KM_PER_DEGREE, 1),
    )


def unproject(x: float, y: float) -> tuple[float, float]:
    """The position of map units: (lat, lon), for a click on the map."""
    return NORTH - y / KM_PER_DEGREE, WEST + x / KM_PER_DEGREE_EAST


def in_sweden(lat: float, lon: float) -> bool:
    (south, north), (west, east) = SWEDEN_BOUNDS["lat"], SWEDEN_BOUNDS["lon"]
    return south <= lat <= north and west <= lon <= east


# Län, each with its seat's position (where Nätverksstatus draws it).
REGIONS = {
    "AB": ("Stockholms län", 59.33, 18.07),
    "C": ("Uppsala län", 59.86, 17.64),
    "D": ("Södermanlands län", 58.75, 17.01),
    "E": ("Östergötlands län", 58.41, 15.62),
    "F": ("Jönköpings län", 57.78, 14.16),
    "G": ("Kronobergs län", 56.88, 14.81),
    "H": ("Kalmar län", 56.66, 16.36),
    "I": ("Gotlands län", 57.63, 18.29),
    "K": ("Blekinge län", 56.16, 15.59),
    "M": ("Skåne län", 55.60, 13.00),
    "N": ("Hallands län", 56.67, 12.86),
    "O": ("Västra Götalands län", 57.71, 11.97),
    "S": ("Värmlands län", 59.38, 13.50),
    "T": ("Örebro län", 59.27, 15.21),
    "U": ("Västmanlands län", 59.61, 16.55),
    "W": ("Dalarnas län", 60.61, 15.63),
    "X": ("Gävleborgs län", 60.67, 17.14),
    "Y": ("Västernorrlands län", 62.63, 17.94),
    "Z": ("Jämtlands län", 63.18, 14.64),
    "AC": ("Västerbottens län", 63.83, 20.26),
    "BD": ("Norrbottens län", 65.58, 22.15),
}

# The län of a postcode by its first two digits. Postcode areas follow the
# post's sorting districts, not county borders, so a few places near a
# border land in the neighbouring län; for a status map of the mobile network
# that is close enough, and it needs no table of 10,000 postcodes.
_PREFIXES = {
    "AB": "10-19 76",
    "M": "20-29",
    "N": "30-31",
    "F": "33 55-57",
    "G": "34-36",
    "K": "37",
    "H": "38-39",
    "O": "40-47 50-54",
    "E": "58-60",
    "D": "61 63-64",
    "I": "62",
    "S": "65-68",
    "T": "69-71",
    "U": "72-73",
    "C": "74-75",
    "W": "77-79",
    "X": "80-82",
    "Z": "83-84",
    "Y": "85-89",
    "AC": "90-93",
    "BD": "94-98",
}


def _expand(spec: str):
    for part in spec.split():
        low, _, high = part.partition("-")
        yield from range(int(low), int(high or low) + 1)


POSTCODE_REGION = {f"{n:02d}": code for code, spec in _PREFIXES.items() for n in _expand(spec)}


def region_of(postcode: str) -> str | None:
    """The län code of a five-digit postcode, or None if its prefix is unused."""
    return POSTCODE_REGION.get((postcode or "").replace(" ", "")[:2])
