"""The terminal's character set, for the views that draw with it (``godel watch``'s full view,
``godel run --watch``)."""

from __future__ import annotations

__all__ = ["utf8_locale"]


def utf8_locale() -> bool:
    """The locale's character set is UTF-8. Its own codeset, not Python's preferred encoding:
    under ``LC_ALL=C`` Python turns on its UTF-8 mode, and that says UTF-8 while the terminal
    shows ASCII."""
    import locale

    try:
        codeset = locale.nl_langinfo(locale.CODESET)
    except (AttributeError, ValueError):  # no nl_langinfo (Windows)
        codeset = locale.getpreferredencoding(False)
    return "utf8" in codeset.lower().replace("-", "")
