"""Burnrate's planner: the model, the engine and the file formats (no Qt)."""

__version__ = "0.1.0"
