"""godel-echo: a test plugin."""
