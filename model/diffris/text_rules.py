"""Rules for text a user gives: when it counts as blank, which characters it may not hold.

Blank is the rule `diffris segment` and `diffris eval` apply to a query: nothing is left once
Unicode white space (U+00A0, U+2007 and U+202F included) and format characters (category Cf:
U+200B..U+200D, U+2060, U+FEFF and the like) are removed.
"""
import unicodedata


def is_invisible(ch):
    return ch.isspace() or unicodedata.category(ch) in ("Zs", "Zl", "Zp", "Cf")


def is_blank(text):
    return all(is_invisible(ch) for ch in text)


def first_control_character(text):
    """(position from 1, character) of the first control, format, line-separator or surrogate
    character, or None: what a one-line name must not hold."""
    for position, ch in enumerate(text, start=1):
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            return position, ch
    return None
