"""Shared pytest fixtures; data factories live in tests/factories.py."""
