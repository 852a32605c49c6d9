"""A trained model: the feature pipeline, the network and the target transform together.

`HousePriceModel.predict` takes a DataFrame of raw columns, as in the data
file, and returns prices in the data's currency. `PriceBandModel.predict`
returns price bands instead, and `PriceBandModel.predict_proba` their
probabilities. `housing.persistence` saves and loads both without pickle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .activations import Sigmoid
from .losses import softmax
from .network import MLP
from .preprocessing import FeaturePipeline, TargetTransform

if TYPE_CHECKING:
    from .classification import PriceBands

__all__ = ["HousePriceModel", "PriceBandModel", "class_probabilities"]


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


@dataclass
class PriceBandModel:
    """Everything needed to place a new house in a price band from its raw columns.

    Attributes
    ----------
    network : MLP
        Its output layer is linear and returns logits: one for two bands
        (the upper band's, for a sigmoid), or one per band (for a softmax).
    pipeline : FeaturePipeline
        Fitted on the training split.
    bands : housing.classification.PriceBands
        The band edges, fitted on the training prices.
    loss : dict
        ``{"name": "bce" or "cce", "params": {}}``.
    target : str
        Name of the price column the bands were cut from.
    currency : str
        Currency of the prices, "USD" or "INR", used for the band labels.
    metadata : dict
        Anything else worth saving. ``metadata["task"]`` is always
        ``"classification"``; `housing.persistence` records it in model.json.
    target_transform : TargetTransform
        Always of kind ``"none"``: the bands are cut from the prices
        themselves. It gives model.json the same fields as a regression model.
    """

    network: MLP
    pipeline: FeaturePipeline
    bands: PriceBands
    loss: dict
    target: str = "price"
    currency: str = "USD"
    metadata: dict = field(default_factory=dict)
    target_transform: TargetTransform = field(default_factory=lambda: TargetTransform("none"))

    def __post_init__(self) -> None:
        # Two bands take one sigmoid logit or two softmax logits; more bands take one logit each.
        allowed = (1, 2) if self.bands.n_bands == 2 else (self.bands.n_bands,)
        if self.network.n_outputs not in allowed:
            raise ValueError(f"a network for {self.bands.n_bands} price bands needs "
                             f"{' or '.join(map(str, allowed))} outputs; got {self.network.n_outputs}")
        self.metadata = {**self.metadata, "task": "classification"}

    @property
    def input_columns(self) -> list[str]:
        return self.pipeline.input_columns

    def band_labels(self) -> list[str]:
        """Return the price range of each band in the model's currency, such as "$130k–$160k"."""
        return self.bands.labels(self.currency)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """Return the most probable band of each row, ints of shape (n_samples,), 0 for the cheapest."""
        return self.predict_features(self.pipeline.transform(X))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Return the probability of each band, shape (n_samples, n_bands); each row sums to 1."""
        return self.predict_proba_features(self.pipeline.transform(X))

    def predict_features(self, features: np.ndarray) -> np.ndarray:
        """Return the most probable band of each row of an already transformed design matrix."""
        return np.argmax(self.predict_proba_features(features), axis=1)

    def predict_proba_features(self, features: np.ndarray) -> np.ndarray:
        """Return band probabilities from an already transformed design matrix, in float64."""
        return class_probabilities(self.network.predict(features))


def class_probabilities(logits: np.ndarray) -> np.ndarray:
    """Return class probabilities in float64 from logits of shape (n_samples, n_outputs).

    One output is the logit of the second of two classes, turned into a
    probability by the sigmoid. Several outputs are one logit per class,
    turned into probabilities by the softmax. Each returned row sums to 1.
    """
    logits = np.asarray(logits, dtype=np.float64)
    if logits.shape[1] == 1:
        upper = Sigmoid().forward(logits)  # probability of the second class
        return np.hstack([1 - upper, upper])
    return softmax(logits)
