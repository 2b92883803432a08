"""The few requests the stand-in treats as harmful, so that lessons can show what happens to them.

The stand-in judges nothing. Moderation (``moderation.py``) flags a text holding one of ``FLAGGED``,
the moderation guide's own example of text it flags; the model (``text.py``) refuses a request
holding one of ``REFUSED``, as a model refuses to help with harm.
"""

# A phrase -> the moderation categories it is flagged under, with their scores.
FLAGGED = {"kill them": {"violence": 0.94, "harassment/threatening": 0.71}}
REFUSED = ("make a bomb", "build a weapon")


def categories_in(text: str) -> dict[str, float]:
    """The categories ``text`` is flagged under, with their scores; empty for a harmless text."""
    found: dict[str, float] = {}
    for phrase, categories in FLAGGED.items():
        if phrase in text.lower():
            found |= categories
    return found


def refused(request: str) -> bool:
    """Whether a model refuses this request."""
    return any(phrase in request.lower() for phrase in REFUSED)
