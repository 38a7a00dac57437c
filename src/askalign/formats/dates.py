"""The two ways a saved text writes its date, read in one place for every format."""

from __future__ import annotations

import datetime as dt
import re

# As LessWrong pages show it: "3rd Feb 2024".
SHOWN_DATE = re.compile(
    r"^(?P<day>\d{1,2})(?:st|nd|rd|th)\s+(?P<month>[A-Z][a-z]{2})\w*\s+(?P<year>\d{4})$"
)


def parse_date(value: object) -> dt.date | None:
    """A date, a timestamp, or text that starts with YYYY-MM-DD."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10]) if value is not None else None
    except ValueError:
        return None


def parse_shown_date(text: str) -> dt.date | None:
    match = SHOWN_DATE.match(text)
    if not match:
        return None
    try:
        return dt.datetime.strptime(
            f"{match['day']} {match['month']} {match['year']}", "%d %b %Y"
        ).date()
    except ValueError:
        return None
