"""Analyses that run the engine many times: Monte Carlo sampling, its statistics and reports."""
