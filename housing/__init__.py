"""housing: an educational house-price regression trainer written by hand in NumPy."""

__version__ = "0.1.0"

__all__ = ["__version__"]
