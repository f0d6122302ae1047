"""godel-clash: a test plugin whose command name is taken."""
