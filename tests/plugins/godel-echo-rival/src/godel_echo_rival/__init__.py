"""godel-echo-rival: registers a lint code under the ECH prefix, which godel-echo owns."""
