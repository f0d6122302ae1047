"""godel-dupe: a test plugin that registers names another plugin owns."""
