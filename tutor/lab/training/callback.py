"""The training loop's events and the `Callback` base class (after fastai's). Torch-free.

`Learner.fit` (learner.py) fires these, in order, and each callback may read and change the learner's
state (`learn.model`, `learn.opt`, `learn.xb`, `learn.loss`, `learn.metrics` ...):

    before_fit                          model and optimiser built; set up (replace learn.opt, learn.loss_weight)
      before_epoch                      model in train mode; may set learn.order (the epoch's sample order)
        before_batch                    learn.xb, learn.yb, learn.target: augment, mix
        after_loss                      learn.loss: add a penalty; set learn.halted to stop stepping
        after_backward                  gradients: clip
        before_step                     learning rates
        after_step                      learn.step counted
      after_eval                        learn.epoch_result (accuracies, losses) measured; may change the losses
      after_epoch                       recorded in learn.hist; set learn.stop to end training
    after_fit                           restore chosen weights (set learn.chosen_epoch)
    after_metrics                       learn.metrics / learn.hist: add the kind's own (the final evaluation's
                                        learn.train_pred / val_pred / test_pred classes, val_scores / test_scores probabilities)

The loop knows no kind of experiment by name; the runner hands it each kind's callbacks.
"""

from __future__ import annotations

from typing import Any

EVENTS = ("before_fit", "before_epoch", "before_batch", "after_loss", "after_backward", "before_step", "after_step",
          "after_eval", "after_epoch", "after_fit", "after_metrics")


class Callback:
    """Override the events you need; each receives the learner."""

    def before_fit(self, learn: Any) -> None: ...
    def before_epoch(self, learn: Any) -> None: ...
    def before_batch(self, learn: Any) -> None: ...
    def after_loss(self, learn: Any) -> None: ...
    def after_backward(self, learn: Any) -> None: ...
    def before_step(self, learn: Any) -> None: ...
    def after_step(self, learn: Any) -> None: ...
    def after_eval(self, learn: Any) -> None: ...
    def after_epoch(self, learn: Any) -> None: ...
    def after_fit(self, learn: Any) -> None: ...
    def after_metrics(self, learn: Any) -> None: ...
