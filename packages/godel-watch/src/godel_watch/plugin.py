"""godel-watch's hookimpls. The ``godel watch`` command is registered once it exists."""
