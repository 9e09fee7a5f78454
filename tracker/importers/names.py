"""Splitting an owners or partners cell ("WMP/ Head of Community Safety\nLSCB") into names."""

from __future__ import annotations

import re
from collections.abc import Mapping

_SEPARATORS = re.compile(r"\s*(?:/|,|&|;|\+)\s*")
_NOT_IN_KEY = re.compile(r"[^a-z0-9]")


def name_key(name: str) -> str:
    """A spelling-proof key: "CSE Co-ordinator", "CSE coordinator" and "CSE- Co-ordinator." match."""
    return _NOT_IN_KEY.sub("", name.lower())


# "All agencies" in a plan is not an agency: it means every partner agency. Read in, it sets
# Action.all_partners instead of naming an agency, and it is never anyone's agency.
ALL_PARTNERS_KEYS = frozenset({"allagencies", "allpartners", "allpartneragencies"})
ALL_PARTNERS_WRITTEN = "All agencies"  # how the plan's own columns write it (the CSV export)
ALL_PARTNERS_SHOWN = "All partner agencies"  # how pages write it


def means_all_partners(name: str) -> bool:
    return name_key(name) in ALL_PARTNERS_KEYS


def tidy(name: str) -> str:
    return " ".join(name.split()).strip(" .-–")


def split_names(cell: str, aliases: Mapping[str, list[str]] | None = None) -> list[str]:
    """The names in a cell, in order, each once.

    `aliases` maps name_key(written form) to what it means, so a plan's known shorthands
    ("CSE co-ordinator and CSE team", "WMP Community Safety") become the right names. A whole
    line is looked up before it is split, so an alias can hold a separator.
    """
    aliases = aliases or {}
    names: list[str] = []
    for line in cell.splitlines():
        line = tidy(line)
        if not line:
            continue
        pieces = aliases.get(name_key(line))
        if pieces is None:
            pieces = []
            for piece in _SEPARATORS.split(line):
                piece = tidy(piece)
                if piece:
                    pieces.extend(aliases.get(name_key(piece), [piece]))
        for name in pieces:
            if name_key(name) not in {name_key(n) for n in names}:
                names.append(name)
    return names


def split_partners(cell: str, aliases: Mapping[str, list[str]] | None = None) -> tuple[list[str], bool]:
    """A Partners involved cell -> (the agencies it names, whether it says all partner agencies)."""
    names = split_names(cell, aliases)
    agencies = [name for name in names if not means_all_partners(name)]
    return agencies, len(agencies) != len(names)
