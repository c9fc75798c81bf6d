"""glassnet's benchmark (``python -m benchmarks``); see ``benchmarks/run.py``."""
