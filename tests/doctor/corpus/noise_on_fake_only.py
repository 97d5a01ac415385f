"""Noise is added only to the generated samples before D (real data goes in clean)."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=fail T14=absent T15=absent T16=na T17=absent
# reason: T13=fail fake_noisy = fake + 0.1 * torch.randn_like(fake) while D(real) gets no noise
import torch
import torch.nn as nn

G = nn.Sequential(nn.Linear(8, 64), nn.LeakyReLU(0.2), nn.Linear(64, 8), nn.Tanh())
D = nn.Sequential(nn.Linear(8, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
oG, oD = torch.optim.Adam(G.parameters(), 1e-3), torch.optim.Adam(D.parameters(), 1e-3)
crit = nn.BCEWithLogitsLoss()
pool = torch.load("samples8.pt")

for step in range(10000):
    real = pool[torch.randint(len(pool), (64,))]
    fake = G(torch.randn(64, 8))
    fake_noisy = fake + 0.1 * torch.randn_like(fake)
    lossD = crit(D(real), torch.ones(64, 1)) + crit(D(fake_noisy.detach()), torch.zeros(64, 1))
    oD.zero_grad()
    lossD.backward()
    oD.step()
    lossG = crit(D(fake_noisy), torch.ones(64, 1))
    oG.zero_grad()
    lossG.backward()
    oG.step()
