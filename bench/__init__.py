"""Benchmarks run by `make bench`: generate a data set, measure, write bench/results.json."""
