"""The forge's steps, in the order forge.py runs them (see the forge's README)."""
