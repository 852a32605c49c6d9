"""A trained model: the feature pipeline, the network and the target transform together.

`HousePriceModel.predict` takes a DataFrame of raw columns, as in the data
file, and returns prices in the data's currency. `housing.persistence` saves
and loads it without pickle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .network import MLP
from .preprocessing import FeaturePipeline, TargetTransform

__all__ = ["HousePriceModel"]


@dataclass
class HousePriceModel:
    """Everything needed to price a new house from its raw columns.

    Attributes
    ----------
    network : MLP
    pipeline : FeaturePipeline
        Fitted on the training split.
    target_transform : TargetTransform
        Fitted on the training split; `predict` inverts it.
    loss : dict
        ``{"name": ..., "params": {...}}`` of the loss the network was trained with.
    target : str
        Name of the predicted column.
    currency : str
        Currency of the target, "USD" or "INR".
    metadata : dict
        Anything else worth saving: data set name, settings, metrics.
    """

    network: MLP
    pipeline: FeaturePipeline
    target_transform: TargetTransform
    loss: dict
    target: str = "price"
    currency: str = "USD"
    metadata: dict = field(default_factory=dict)

    @property
    def input_columns(self) -> list[str]:
        return self.pipeline.input_columns

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Return predicted prices, shape (n_samples,), in the target's currency."""
        features = self.pipeline.transform(X)
        return self.predict_features(features)

    def predict_features(self, features: np.ndarray) -> np.ndarray:
        """Return predicted prices from an already transformed design matrix."""
        output = self.network.predict(features)  # (n_samples, 1) in training space
        return self.target_transform.inverse(output)
