"""`python -m bench` (make bench): the dashboard benchmark with its defaults."""

from bench.dashboard import main

main()
