"""housing: an educational house-price regression trainer written by hand in NumPy."""

__version__ = "0.1.0"

__all__ = ["__version__", "NumpyMLPRegressor", "NumpyMLPClassifier"]


def __getattr__(name):
    # The estimator imports most of scikit-learn; loading it only on first use
    # keeps `housing --help` and `housing losses` quick to start.
    if name in ("NumpyMLPRegressor", "NumpyMLPClassifier"):
        from . import estimator

        return getattr(estimator, name)
    raise AttributeError(f"module 'housing' has no attribute {name!r}")
