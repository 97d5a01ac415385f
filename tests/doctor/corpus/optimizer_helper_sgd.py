"""Optimisers made by a helper with a default of plain SGD, used for both players."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=fail
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T09=fail make_optimizer builds torch.optim.SGD, used for G
import torch
import torch.nn as nn


def make_optimizer(params, lr=0.01):
    return torch.optim.SGD(params, lr=lr, momentum=0.5)


G = nn.Sequential(nn.Linear(8, 64), nn.LeakyReLU(0.2), nn.Linear(64, 16), nn.Tanh())
D = nn.Sequential(nn.Linear(16, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
opt_G = make_optimizer(G.parameters())
opt_D = make_optimizer(D.parameters())
crit = nn.BCEWithLogitsLoss()
patterns = torch.load("patterns.pt")

for step in range(30000):
    real = patterns[torch.randint(len(patterns), (64,))]
    fake = G(torch.randn(64, 8))
    d_loss = crit(D(real), torch.ones(64, 1)) + crit(D(fake.detach()), torch.zeros(64, 1))
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    g_loss = crit(D(fake), torch.ones(64, 1))
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
