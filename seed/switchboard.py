"""Demo data of A3 Demo Connect's molnväxel (issue 21): employees, two
queues and three months of calls to them for the queue statistics. Uses its
own random stream so that the rest of the demo data stays as it was."""

from __future__ import annotations

import datetime as dt
import random

from tables.switchboard import (
    SwitchboardEmployee,
    SwitchboardQueue,
    SwitchboardQueueCall,
    SwitchboardQueueMember,
)

EMPLOYEES = [
    ("Lena Berg", "201", "0906953201"),
    ("Tommy Frost", "202", ""),
    ("Sara Nyström", "203", "0906953202"),
    ("Jonas Ek", "204", ""),
]


def seed_switchboard(pbx, agents: list, today: dt.date) -> None:
    """``agents``: the molnväxel's växelanvändare (mobile_pbx services)."""
    rng = random.Random("teleportal-switchboard")
    for (name, extension, fixed), agent in zip(EMPLOYEES, agents, strict=False):
        SwitchboardEmployee.create(
            organisation=pbx.organisation_id,
            pbx=pbx,
            name=name,
            extension=extension,
            mobile=agent,
            fixed_number=fixed,
        )
    plan = [
        ("Växel", "0906953200", "linear", "mån–fre 08:00–17:00", "201", agents[:3]),
        ("Support", "0906953203", "ringall", "mån–fre 08:00–16:00", "0906953200", agents[1:4]),
    ]
    queues = []
    for name, number, strategy, hours, overflow, members in plan:
        queue = SwitchboardQueue.create(
            organisation=pbx.organisation_id,
            pbx=pbx,
            name=name,
            number=number,
            strategy=strategy,
            opening_hours=hours,
            overflow=overflow,
        )
        for position, member in enumerate(members, start=1):
            SwitchboardQueueMember.create(queue=queue, service=member, position=position)
        queues.append((queue, members))
    rows = []
    day = today - dt.timedelta(days=90)
    while day < today:
        if day.weekday() < 5:
            for queue, members in queues:
                for _ in range(rng.randint(4, 14)):
                    # 08–17 Swedish time is 07–16 UTC in winter; close enough
                    at = dt.datetime.combine(day, dt.time(rng.randint(7, 15), rng.randint(0, 59)))
                    answered = rng.random() < 0.86
                    rows.append(
                        {
                            "queue": queue.id,
                            "started_at": at,
                            "answered": answered,
                            "agent": rng.choice(members).id if answered else None,
                            "wait_seconds": rng.randint(3, 60)
                            if answered
                            else rng.randint(20, 180),
                            "talk_seconds": rng.randint(30, 600) if answered else 0,
                        }
                    )
        day += dt.timedelta(days=1)
    for start in range(0, len(rows), 500):
        SwitchboardQueueCall.insert_many(rows[start : start + 500]).execute()
