"""Benchmarks: scripts that build large plans and print how long the tracker's heavy work takes."""
