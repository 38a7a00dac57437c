"""Text from outside (a page, a model, a browser) without control characters: an ESC
sequence recolours a terminal, moves its cursor or retitles its window, and CR
overwrites what came before. One rule for everything askalign prints or exports."""

from __future__ import annotations

# C0 and C1 control characters, DEL among them; a newline and a tab are text
_CONTROLS = dict.fromkeys([*range(0x00, 0x20), *range(0x7F, 0xA0)])
del _CONTROLS[ord("\n")], _CONTROLS[ord("\t")]


def printable(text: str) -> str:
    """`text` without control characters, other than newline and tab."""
    return text.translate(_CONTROLS)
