"""Build static/map/sweden.svg, the outline Driftinformation's maps draw on.

Source: Natural Earth 1:50m country borders (public domain,
https://www.naturalearthdata.com/) as TopoJSON in the npm package
``world-atlas@2.0.2`` (ISC licence, © Mike Bostock), file countries-50m.json.
Run once; the output is committed, so the portal needs neither the package
nor the network::

    cd /tmp && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    .venv/bin/python scripts/build_sweden_map.py /tmp/package/countries-50m.json

(sha256 of world-atlas-2.0.2.tgz:
032e7765f2ce00edaeafec23ff22bc3b77e42987c257da944cc585b452c05b97.)

Sweden and its neighbours (for context) are projected with domain/geo.py's
projection, the one the server's markers use, and rounded to 0.1 km.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from domain import geo  # noqa: E402

OUTPUT = ROOT / "static" / "map" / "sweden.svg"
SWEDEN = "752"
NEIGHBOURS = {"578": "Norge", "246": "Finland", "208": "Danmark", "233": "Estland"}
# Presentation attributes, not CSS: the file is shown as an image, where the
# page's stylesheet does not reach.
FILLS = {"sweden": ("#f4f1ea", "#8a8170"), "neighbour": ("#e4e7ea", "#b5bcc3")}


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON's delta-encoded, quantised arcs as (lon, lat) lists."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs, indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def polygons(arcs, geometry: dict):
    if geometry["type"] == "Polygon":
        yield [ring(arcs, r) for r in geometry["arcs"]]
    elif geometry["type"] == "MultiPolygon":
        for polygon in geometry["arcs"]:
            yield [ring(arcs, r) for r in polygon]


def visible(rings) -> bool:
    lons = [lon for lon, _ in rings[0]]
    lats = [lat for _, lat in rings[0]]
    return (
        max(lons) >= geo.WEST - 2
        and min(lons) <= geo.EAST + 2
        and max(lats) >= geo.SOUTH - 2
        and min(lats) <= geo.NORTH + 1
    )


def path_data(rings) -> str:
    parts = []
    for points in rings:
        projected = []
        for lon, lat in points:
            xy = geo.project(lat, lon)
            if not projected or projected[-1] != xy:
                projected.append(xy)
        if len(projected) < 3:
            continue
        head, *tail = projected
        parts.append(f"M{head[0]:g} {head[1]:g}" + "".join(f"L{x:g} {y:g}" for x, y in tail) + "Z")
    return "".join(parts)


def build(source: Path) -> str:
    topology = json.loads(source.read_text())
    arcs = decode_arcs(topology)
    countries = {g.get("id"): g for g in topology["objects"]["countries"]["geometries"]}
    shapes = []
    for code, name in [*NEIGHBOURS.items(), (SWEDEN, "Sverige")]:
        kind = "sweden" if code == SWEDEN else "neighbour"
        fill, stroke = FILLS[kind]
        data = "".join(
            path_data(rings) for rings in polygons(arcs, countries[code]) if visible(rings)
        )
        shapes.append(
            f'<path id="{kind}-{code}" fill="{fill}" stroke="{stroke}" stroke-width="1.2" '
            f'stroke-linejoin="round" d="{data}"><title>{name}</title></path>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {geo.WIDTH} {geo.HEIGHT}" '
        f'width="{geo.WIDTH}" height="{geo.HEIGHT}">\n'
        "<!-- Made by scripts/build_sweden_map.py from Natural Earth 1:50m (public domain) "
        "via world-atlas@2.0.2 (ISC). -->\n"
        f'<rect width="{geo.WIDTH}" height="{geo.HEIGHT}" fill="#dbe9f4"/>\n'
        + "\n".join(shapes)
        + "\n</svg>\n"
    )


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(build(Path(argv[1])))
    print(f"{OUTPUT} ({OUTPUT.stat().st_size // 1024} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
