"""The monitor as a Lightning callback (skipped when lightning is not installed)."""

import json

import pytest
import torch
from torch import nn

L = pytest.importorskip("lightning.pytorch")

from ganhacks.monitor.lightning import MonitorLightningCallback  # noqa: E402


class TinyGAN(L.LightningModule):
    def __init__(self, lr, nan_at=0):
        super().__init__()
        self.automatic_optimization = False
        self.generator = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 2))
        self.discriminator = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
        self.lr, self.nan_at = lr, nan_at

    def training_step(self, batch, batch_idx):
        opt_g, opt_d = self.optimizers()
        real = batch[0]
        fake = self.generator(torch.randn(len(real), 2))
        if self.nan_at and batch_idx + 1 >= self.nan_at:
            fake = fake * float("nan")  # a numeric blow-up from this batch on
        bce = nn.functional.binary_cross_entropy_with_logits
        r, f = self.discriminator(real), self.discriminator(fake.detach())
        loss_d = bce(r, torch.ones_like(r)) + bce(f, torch.zeros_like(f))
        opt_d.zero_grad()
        self.manual_backward(loss_d)
        opt_d.step()
        out = self.discriminator(fake)
        loss_g = bce(out, torch.ones_like(out))
        opt_g.zero_grad()
        self.manual_backward(loss_g)
        opt_g.step()
        self.log_dict(
            {
                "loss/d": loss_d,
                "loss/g": loss_g,
                "d_prob/real": torch.sigmoid(r).mean(),
                "d_prob/fake": torch.sigmoid(f).mean(),
                "d_acc": 0.5 * ((r > 0).float().mean() + (f < 0).float().mean()),
            }
        )

    def configure_optimizers(self):
        return (
            torch.optim.Adam(self.generator.parameters(), lr=self.lr),
            torch.optim.Adam(self.discriminator.parameters(), lr=self.lr),
        )


def fit(tmp_path, model, callback, batches=40):
    torch.manual_seed(0)
    data = torch.utils.data.TensorDataset(torch.randn(batches * 16, 2) * 0.1 + 1.0)
    trainer = L.Trainer(
        max_epochs=1,
        callbacks=[callback],
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        accelerator="cpu",
        default_root_dir=tmp_path,
    )
    trainer.fit(model, torch.utils.data.DataLoader(data, batch_size=16))
    return trainer


def test_lightning_callback_reads_logged_values_and_optimizer_gradients(tmp_path):
    cb = MonitorLightningCallback(
        run_dir=tmp_path, stream=None, loss="bce", real=torch.randn(64, 2) * 0.1 + 1.0, z=torch.randn(64, 2)
    )
    fit(tmp_path, TinyGAN(lr=1e-3), cb)
    assert cb.batches == 40 and cb.monitor.alerts == []
    assert len(cb.monitor.history.values("diversity/ratio")) == 4  # G(z) at steps 10, 20, 30, 40
    assert [e["event"] for e in cb.monitor.events.records] == ["missing"]  # mean logits not logged; nothing off
    assert len(cb.monitor.history.values("loss/d")) == 40
    assert len(cb.monitor.history.values("grad_norm/d")) == 40  # from the hook on D's optimiser


def test_lightning_stop_policy_stops_the_trainer_at_nan(tmp_path):
    cb = MonitorLightningCallback(run_dir=tmp_path, stream=None, policy="stop", loss="bce")
    trainer = fit(tmp_path, TinyGAN(lr=1e-3, nan_at=10), cb)
    assert [a.symptom for a in cb.monitor.alerts] == ["non_finite"] and cb.monitor.alerts[0].step == 10
    assert trainer.should_stop and cb.batches == 10
    events = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()]
    assert [e["event"] for e in events] == ["off", "missing", "alert", "stop"]
    assert "mode_collapse" in events[0]["detail"] and "real=" in events[0]["detail"]  # no real=/z= given: said
    assert "d_out/real" in events[1]["detail"]  # this module does not log mean logits: said once
    assert "oscillation" in events[1]["detail"]  # ...with the symptom that stays silent without them
    state = cb.state_dict()
    again = MonitorLightningCallback(stream=None, loss="bce")
    again.load_state_dict(state)
    assert again.batches == 10 and again.monitor.alerts[0].symptom == "non_finite"
