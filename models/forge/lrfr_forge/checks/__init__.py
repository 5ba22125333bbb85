"""Measurements through the release binary, on validation identities; they make nothing in models/."""
