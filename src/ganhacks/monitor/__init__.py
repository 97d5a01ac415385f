"""The monitor: catch a failing GAN run early, in any loop, and say which tips fix it (tip T10).

* :class:`Monitor` — framework-agnostic core (``observe`` a dict per step, or ``step`` with
  losses and logits in a hand-written loop; ``watch`` adds gradients, updates and diversity);
* :class:`MonitorCallback` — always on inside ``ganhacks train`` (policies warn/stop/rollback);
* ``ganhacks.monitor.lightning.MonitorLightningCallback`` — for PyTorch Lightning (optional);
* :data:`SYMPTOMS` — the symptom registry; :func:`tips_monitored` maps tips to symptoms;
* ``ganhacks report RUN`` (:mod:`ganhacks.monitor.report`) — a self-contained HTML report.
"""

from ganhacks.monitor.actions import Alert, EventLog
from ganhacks.monitor.config import POLICIES, MonitorConfig
from ganhacks.monitor.monitor import Monitor, TrainingStopped
from ganhacks.monitor.symptoms import SYMPTOMS, Symptom, symptoms_for, tips_monitored

__all__ = ["POLICIES", "SYMPTOMS", "Alert", "EventLog", "Monitor", "MonitorCallback", "MonitorConfig", "Symptom",
           "TrainingStopped", "symptoms_for", "tips_monitored"]


def __getattr__(name: str):  # the trainer callback imports the trainer; load it only when asked
    if name == "MonitorCallback":
        from ganhacks.monitor.callback import MonitorCallback

        return MonitorCallback
    raise AttributeError(name)
