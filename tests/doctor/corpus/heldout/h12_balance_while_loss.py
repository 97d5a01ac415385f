"""Keeps training D while its loss is high and G while its loss is high (balancing by thresholds)."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=fail T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T11=fail the loops `while d_loss.item() > 0.7` and `while g_loss.item() > 1.5` repeat updates by loss thresholds
# reason: T02=pass the G loss uses softplus(-D(G(z))), the non-saturating form
import torch
import torch.nn as nn
import torch.nn.functional as F

Z, X = 8, 32
G = nn.Sequential(nn.Linear(Z, 64), nn.SiLU(), nn.Linear(64, X), nn.Tanh())
D = nn.Sequential(nn.Linear(X, 64), nn.SiLU(), nn.Linear(64, 1))
oG = torch.optim.Adam(G.parameters(), 1e-3)
oD = torch.optim.Adam(D.parameters(), 1e-3)
dataset = torch.load("signals.pt")  # already in [-1, 1]


def d_objective(real, fake):
    return F.softplus(-D(real)).mean() + F.softplus(D(fake)).mean()


for epoch in range(100):
    for real in dataset.split(64):
        fake = G(torch.randn(real.size(0), Z))
        d_loss = d_objective(real, fake.detach())
        while d_loss.item() > 0.7:
            oD.zero_grad()
            d_loss.backward()
            oD.step()
            d_loss = d_objective(real, fake.detach())
        g_loss = F.softplus(-D(G(torch.randn(real.size(0), Z)))).mean()
        while g_loss.item() > 1.5:
            oG.zero_grad()
            g_loss.backward()
            oG.step()
            g_loss = F.softplus(-D(G(torch.randn(real.size(0), Z)))).mean()
