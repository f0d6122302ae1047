"""godel-broken: a test plugin that cannot be imported."""
