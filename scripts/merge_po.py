"""Git merge driver for the translation catalogues (README "Languages").

Areas translated side by side each add their msgids to the same
``messages.po``; a line-based merge then conflicts on every neighbouring
entry. This driver merges by message instead: the union of both sides'
entries (ours wins where both translated the same msgid differently).

    git config merge.po-union.driver "python3 scripts/merge_po.py %O %A %B"

(.gitattributes names the driver for translations/*/LC_MESSAGES/*.po).
Compile the .mo files afterwards: ``make translations``.
"""

from __future__ import annotations

import sys

from babel.messages.pofile import read_po, write_po


def merge(ours_path: str, theirs_path: str) -> None:
    with open(ours_path, "rb") as f:
        ours = read_po(f)
    with open(theirs_path, "rb") as f:
        theirs = read_po(f)
    for message in theirs:
        if not message.id:
            continue
        mine = ours.get(message.id, message.context)
        if mine is None or (not mine.string and message.string):
            if mine is not None:
                ours.delete(message.id, message.context)
            ours[message.id] = message  # keyed by its id and context
    with open(ours_path, "wb") as f:
        write_po(f, ours, width=100, omit_header=False)


if __name__ == "__main__":
    _base, ours_file, theirs_file = sys.argv[1:4]
    merge(ours_file, theirs_file)
