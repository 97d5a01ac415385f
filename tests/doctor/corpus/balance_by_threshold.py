"""Balancing G and D by loss thresholds: 'while lossD > A: train D' (tip 11's anti-pattern)."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=fail T12=na T13=absent T14=absent T15=absent T16=na T17=absent
import torch
import torch.nn as nn
import torch.nn.functional as F

netG = nn.Sequential(nn.Linear(32, 128), nn.ELU(), nn.Linear(128, 64), nn.Tanh())
netD = nn.Sequential(nn.Linear(64, 128), nn.ELU(), nn.Linear(128, 1))
optimizerG = torch.optim.Adam(netG.parameters(), lr=1e-3)
optimizerD = torch.optim.Adam(netD.parameters(), lr=1e-3)


def d_step(real):
    fake = netG(torch.randn(len(real), 32)).detach()
    lossD = F.binary_cross_entropy_with_logits(netD(real), torch.ones(len(real), 1)) + \
        F.binary_cross_entropy_with_logits(netD(fake), torch.zeros(len(real), 1))
    optimizerD.zero_grad(); lossD.backward(); optimizerD.step()
    return lossD.item()


def g_step(n):
    lossG = F.binary_cross_entropy_with_logits(netD(netG(torch.randn(n, 32))), torch.ones(n, 1))
    optimizerG.zero_grad(); lossG.backward(); optimizerG.step()
    return lossG.item()


for real in torch.load("signals.pt"):
    lossD = d_step(real)
    while lossD > 0.6:
        lossD = d_step(real)
    lossG = g_step(len(real))
    while lossG > 1.5:
        lossG = g_step(len(real))
