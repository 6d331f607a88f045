"""Benchmarks behind `kinerja bench`: they print figures, they assert nothing."""
