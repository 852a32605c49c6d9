"""housing: an educational house-price regression trainer written by hand in NumPy."""

__version__ = "0.1.0"

from .estimator import NumpyMLPRegressor

__all__ = ["__version__", "NumpyMLPRegressor"]
