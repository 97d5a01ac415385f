"""Skips D updates while D's loss is low and trains G twice when its loss is high."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=fail T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T11=fail `if lossD.item() > 0.3:` guards optimizerD.step() and `if lossG.item() > 2.0:` a second G step
import torch
import torch.nn as nn

G = nn.Sequential(nn.Linear(10, 64), nn.LeakyReLU(0.2), nn.Linear(64, 10), nn.Tanh())
D = nn.Sequential(nn.Linear(10, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
optimizerG = torch.optim.Adam(G.parameters(), lr=1e-3)
optimizerD = torch.optim.Adam(D.parameters(), lr=1e-3)
crit = nn.BCEWithLogitsLoss()
data = torch.load("vectors10.pt")

for step in range(20000):
    real = data[torch.randint(len(data), (64,))]
    fake = G(torch.randn(64, 10))
    lossD = crit(D(real), torch.ones(64, 1)) + crit(D(fake.detach()), torch.zeros(64, 1))
    if lossD.item() > 0.3:
        optimizerD.zero_grad()
        lossD.backward()
        optimizerD.step()
    lossG = crit(D(fake), torch.ones(64, 1))
    optimizerG.zero_grad()
    lossG.backward()
    optimizerG.step()
    if lossG.item() > 2.0:
        lossG = crit(D(G(torch.randn(64, 10))), torch.ones(64, 1))
        optimizerG.zero_grad()
        lossG.backward()
        optimizerG.step()
