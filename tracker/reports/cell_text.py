"""Text for spreadsheet cells: what a user wrote must never run as a formula.

Excel (and LibreOffice) treat a cell that begins with =, +, -, @, a tab or a carriage return as a
formula, even in a CSV file; a commentary could then fetch data or run commands. Such text gets a
leading apostrophe, which Excel shows as plain text (OWASP's advice for CSV injection).
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def neutralise(text: str) -> str:
    return "'" + text if is_formula_like(text) else text
