"""Logs the total gradient norm of each network every step and stops when D's loss collapses."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=pass T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T10=pass grad_norm() sums p.grad.norm() over parameters and is logged for G and D
import torch
import torch.nn as nn


def grad_norm(model):
    total = 0.0
    for p in model.parameters():
        if p.grad is not None:
            total += p.grad.norm(2).item() ** 2
    return total**0.5


G = nn.Sequential(nn.Linear(4, 32), nn.LeakyReLU(0.2), nn.Linear(32, 2), nn.Tanh())
D = nn.Sequential(nn.Linear(2, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
opt_g, opt_d = torch.optim.Adam(G.parameters(), 1e-3), torch.optim.Adam(D.parameters(), 1e-3)
crit = nn.BCEWithLogitsLoss()
pts = torch.load("blobs.pt")
for step in range(10000):
    real = pts[torch.randint(len(pts), (128,))]
    fake = G(torch.randn(128, 4))
    d_loss = crit(D(real), torch.ones(128, 1)) + crit(D(fake.detach()), torch.zeros(128, 1))
    opt_d.zero_grad()
    d_loss.backward()
    gn_d = grad_norm(D)
    opt_d.step()
    g_loss = crit(D(fake), torch.ones(128, 1))
    opt_g.zero_grad()
    g_loss.backward()
    gn_g = grad_norm(G)
    opt_g.step()
    print(f"step {step} d {d_loss.item():.3f} g {g_loss.item():.3f} |grad| d {gn_d:.2f} g {gn_g:.2f}")
    if d_loss.item() < 1e-4:
        break
