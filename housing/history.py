"""The per-epoch record of a training run, read by the plotting module and saved as CSV."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["History"]


@dataclass
class History:
    """Numbers recorded once per epoch, in the units of the training loss.

    `train_loss` is the mean loss over the epoch's mini-batches, measured while
    the weights changed; `val_loss` is measured on the validation split after
    the epoch. Both are in the transformed target space the network trains in.
    """

    loss_name: str = ""
    epoch: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    learning_rate: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stop_reason: str = ""
    interrupted: bool = False
    diverged: bool = False

    def append(self, epoch: int, train_loss: float, val_loss: float, learning_rate: float, seconds: float) -> None:
        """Record one finished epoch."""
        self.epoch.append(int(epoch))
        self.train_loss.append(float(train_loss))
        self.val_loss.append(float(val_loss))
        self.learning_rate.append(float(learning_rate))
        self.seconds.append(float(seconds))

    def __len__(self) -> int:
        return len(self.epoch)

    def to_frame(self) -> pd.DataFrame:
        """Return the history as a table with the columns of `history.csv`."""
        return pd.DataFrame(
            {
                "epoch": self.epoch,
                "train_loss": self.train_loss,
                "val_loss": self.val_loss,
                "learning_rate": self.learning_rate,
                "seconds": self.seconds,
            }
        )

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, loss_name: str = "") -> History:
        """Rebuild a history from a table with the columns of `history.csv`."""
        history = cls(loss_name=loss_name)
        for row in frame.itertuples(index=False):
            history.append(row.epoch, row.train_loss, row.val_loss, row.learning_rate, row.seconds)
        if len(history):
            history.best_epoch = int(frame["epoch"].iloc[int(frame["val_loss"].to_numpy().argmin())])
        return history
