"""Shows D a mix of current fakes and fakes from a history list (Shrivastava et al.)."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=pass T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T08=pass fake_history keeps past generator outputs that D is trained on
import random

import torch
import torch.nn as nn

G = nn.Sequential(nn.Linear(8, 64), nn.LeakyReLU(0.2), nn.Linear(64, 12), nn.Tanh())
D = nn.Sequential(nn.Linear(12, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
opt_G, opt_D = torch.optim.Adam(G.parameters(), 2e-4), torch.optim.Adam(D.parameters(), 2e-4)
bce = nn.BCEWithLogitsLoss()
fake_history = []
rows = torch.load("rows12.pt")

for step in range(20000):
    real = rows[torch.randint(len(rows), (64,))]
    fake = G(torch.randn(64, 8))
    shown = fake.detach()
    if fake_history and random.random() < 0.5:
        shown = torch.cat([shown[:32], random.choice(fake_history)[:32]])
    fake_history.append(fake.detach())
    fake_history = fake_history[-50:]
    d_loss = bce(D(real), torch.ones(64, 1)) + bce(D(shown), torch.zeros(64, 1))
    opt_D.zero_grad()
    d_loss.backward()
    opt_D.step()
    g_loss = bce(D(fake), torch.ones(64, 1))
    opt_G.zero_grad()
    g_loss.backward()
    opt_G.step()
