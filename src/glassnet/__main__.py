"""``python -m glassnet``."""

from glassnet.cli import entry_point

if __name__ == "__main__":  # not again in the worker processes of `sweep --dask local:N`
    entry_point()
