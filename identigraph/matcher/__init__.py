"""Identifier specs, normalizers, blocking and comparisons: everything that produces edges."""

from __future__ import annotations

from identigraph.matcher.specs import Cookie, Email, Identifier, Key, Normalized, Phone

__all__ = ["Cookie", "Email", "Identifier", "Key", "Normalized", "Phone"]
