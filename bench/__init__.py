"""Benchmarks, and the large-partnership data generator they run on: figures are printed, never asserted."""
