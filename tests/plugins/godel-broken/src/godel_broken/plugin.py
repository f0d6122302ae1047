"""Fails at import time, like a plugin whose optional dependency is missing."""

from __future__ import annotations

raise ImportError("godel-broken needs the module 'nonexistent_sdk', which is not installed")
