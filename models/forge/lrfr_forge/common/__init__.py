"""Modules several forge steps share."""
