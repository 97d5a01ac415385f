"""The monitor: catch a failing GAN run early, in any loop, and say which tips fix it (tip T10).

* :class:`Monitor` — framework-agnostic core (``observe`` a dict per step, or ``step`` with
  losses and logits in a hand-written loop; ``watch`` adds gradients, updates and diversity);
* ``ganhacks.train.callbacks.MonitorCallback`` — the adapter that runs it inside ``ganhacks train``
  (policies warn/stop/rollback);
* ``ganhacks.monitor.lightning.MonitorLightningCallback`` — for PyTorch Lightning (optional);
* :data:`SYMPTOMS` — the symptom registry; :func:`tips_monitored` maps tips to symptoms;
* ``ganhacks report RUN`` (:mod:`ganhacks.monitor.report`) — a self-contained HTML report.
"""

from ganhacks.monitor.actions import Alert, EventLog, at_least
from ganhacks.monitor.config import POLICIES, MonitorConfig
from ganhacks.monitor.monitor import Monitor, TrainingStopped
from ganhacks.monitor.symptoms import SYMPTOMS, Symptom, symptoms_for, tips_monitored

__all__ = [
    "POLICIES",
    "SYMPTOMS",
    "Alert",
    "EventLog",
    "Monitor",
    "MonitorConfig",
    "Symptom",
    "TrainingStopped",
    "at_least",
    "symptoms_for",
    "tips_monitored",
]
