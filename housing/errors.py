"""Exceptions that the command line reports as one line and exit status 2.

Every error a user can cause with bad input is a subclass of `HousingError`.
The command line prints its message without a traceback; anything else is a
bug in this package and keeps its traceback.
"""

__all__ = ["HousingError", "DataError", "ConfigError", "ModelFileError"]


class HousingError(Exception):
    """An error caused by input, reported to the user as one line."""


class DataError(HousingError, ValueError):
    """A data file or array that cannot be used: missing, unparsable or out of range."""


class ConfigError(HousingError, ValueError):
    """An option or hyperparameter outside its valid range."""


class ModelFileError(HousingError, ValueError):
    """A saved model folder that is missing, damaged, unsafe or incompatible."""
