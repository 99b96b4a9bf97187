"""Group filters at the large scale against the demo (issue 18 item 9).

For every list that filters by group (Konton, Tjänster, Fakturor,
Beställningar, Ärenden, Samtal): p95 of the list unfiltered, filtered by one
group (Avdelning:Sälj) and by two groups of different categories
(Avdelning:Sälj and a Kostnadsställe, which narrow), as the
Administratör and the Kontoadministratör, large scale against demo scale.
The machinery (both scales in one process taking turns request by request,
rounds, p95 as the median of the rounds' p95s) is bench/run.py's.

    TELEPORTAL_INSTANCE=instance-large .venv/bin/python bench/groups.py \
        [--requests 20] [--rounds 3] [--lists invoices,calls] [--users Administratör]

The large instance needs its groups (seed/large_groups.py, part of
``make seed-large``; ``python -m seed.large_groups`` adds them to an older one).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("REQUEST_LOG", "0")  # one JSON line per request otherwise
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import (  # noqa: E402
    DEMO_USERS,
    LARGE_USERS,
    TARGET_RATIO,
    Side,
    build_demo_database,
    large_database_url,
    measure_lists,
)

LISTS = {
    "accounts": "Konton",
    "services": "Tjänster",
    "invoices": "Fakturor",
    "orders": "Beställningar",
    "tickets": "Ärenden",
    "calls": "Samtal",
}
ONE = ("Avdelning", "Sälj")
# The cost centre: KS 300 at large scale (the Kontoadministratör's region
# 3, so the two groups meet in two of its districts), KS 100 in the demo.
TWO = (("Avdelning", "Sälj"), ("Kostnadsställe", "KS"))
COST_CENTRE = {"large": "KS 300", "demo": "KS 100"}
FILTERS = {
    "unfiltered": (),
    "1 group": (ONE,),
    "2 groups": TWO,
}


def cases(lists, parts=True) -> list[tuple[str, str]]:
    """(case, URL) per list and filter. A group-filtered page comes without
    its total (ListView._part): with ``parts`` its counted pager, and
    Fakturor's group sum, are cases of their own ("… pager", "… sum")."""
    out = []
    for name in lists:
        for label, groups in FILTERS.items():
            query = "&".join(f"grupp={{{c}:{g}}}" for c, g in groups)
            url = f"/{name}" + (f"?{query}" if query else "")
            out.append((f"{LISTS[name]}, {label}", url))
            if parts and groups:
                out.append((f"{LISTS[name]}, {label}, pager", f"{url}#part=pager"))
                if name == "invoices":
                    out.append((f"{LISTS[name]}, {label}, sum", f"{url}#part=group-total"))
    return out


def group_ids(side: Side, user_label: str) -> dict[str, int]:
    """ "Kategori:Grupp" → id in the organisation of the side's user."""
    from tables.org import Group, GroupCategory, User

    side.activate()
    username = dict(LARGE_USERS if side.name == "large" else DEMO_USERS)[user_label]
    organisation = User.get(User.username == username).organisation_id
    query = (
        Group.select(Group.id, Group.name, GroupCategory.name.alias("category"))
        .join(GroupCategory)
        .where(GroupCategory.organisation == organisation)
        .dicts()
    )
    return {f"{row['category']}:{row['name']}": row["id"] for row in query}


def resolve(side: Side, user_label: str, url: str) -> str:
    ids = group_ids(side, user_label)
    url = url.replace("{Kostnadsställe:KS}", "{Kostnadsställe:" + COST_CENTRE[side.name] + "}")
    for label, group_id in ids.items():
        url = url.replace("{" + label + "}", str(group_id))
    if "{" in url:
        sys.exit(f"{side.name}: no group for {url} (run python -m seed.large_groups)")
    return url


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--lists", default=",".join(LISTS))
    parser.add_argument("--users", default="Administratör,Kontoadmin")
    parser.add_argument("--label", default="", help="saved with the results")
    parser.add_argument(
        "--no-parts", action="store_true", help="leave out the pager and sum fetched after a page"
    )
    args = parser.parse_args()
    lists = [name for name in args.lists.split(",") if name]
    unknown = set(lists) - set(LISTS)
    if unknown:
        sys.exit(f"unknown lists {sorted(unknown)}; known: {', '.join(LISTS)}")
    user_labels = [u for u in args.users.split(",") if u]

    large_url = large_database_url()
    with tempfile.TemporaryDirectory() as tmp:
        demo_url = build_demo_database(Path(tmp))
        large = Side("large", large_url, LARGE_USERS)
        demo = Side("demo", demo_url, DEMO_USERS)
        started = time.perf_counter()
        results = measure_lists(
            [large, demo],
            user_labels,
            args.requests,
            args.warmup,
            args.rounds,
            cases=cases(lists, not args.no_parts),
            resolve=resolve,
        )
        took = time.perf_counter() - started

    rows = []
    print(f"\nGroup filters: p95 in ms (median of {args.rounds} rounds of {args.requests})")
    print(f"{'user':<14} {'case':<30} {'large':>9} {'demo':>8} {'ratio':>7}  shown (large)")
    for user_label in user_labels:
        for case, _url in cases(lists, not args.no_parts):
            key = (user_label, case)
            big, small = results["large"][key], results["demo"][key]
            ratio = big["p95"] / small["p95"] if small["p95"] else float("inf")
            ok = "ok" if ratio <= TARGET_RATIO else "OVER"
            print(
                f"{user_label:<14} {case:<30} {big['p95']:9.1f} {small['p95']:8.1f} "
                f"{ratio:6.2f}× {ok:<4} {big['shown']}"
            )
            rows.append(
                {
                    "user": user_label,
                    "case": case,
                    "large": big,
                    "demo": small,
                    "ratio": ratio,
                }
            )
    print(f"({took:.0f} s)")
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    path = out / f"groups-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps({"label": args.label, "rows": rows}, indent=1, default=str))
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
