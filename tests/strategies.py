"""Shared hypothesis strategies for identigraph's tests."""

from __future__ import annotations
