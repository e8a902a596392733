"""The risk side of the window: ranges, live Monte Carlo runs, and the risk view's charts."""
