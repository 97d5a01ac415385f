"""The prior is a torch.distributions.Normal object sampled each step."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T03=pass z = prior.sample((batch,)) with prior = Normal(zeros, ones)
import torch
import torch.nn as nn
from torch.distributions import Normal

latent = 6
prior = Normal(torch.zeros(latent), torch.ones(latent))
G = nn.Sequential(nn.Linear(latent, 32), nn.GELU(), nn.Linear(32, 4), nn.Tanh())
D = nn.Sequential(nn.Linear(4, 32), nn.GELU(), nn.Linear(32, 1))
oG, oD = torch.optim.Adam(G.parameters(), 1e-3), torch.optim.Adam(D.parameters(), 1e-3)
bce = nn.BCEWithLogitsLoss()
data = torch.load("quads.pt")

for step in range(4000):
    x = data[torch.randint(len(data), (64,))]
    z = prior.sample((64,))
    fake = G(z)
    d_loss = bce(D(x), torch.ones(64, 1)) + bce(D(fake.detach()), torch.zeros(64, 1))
    oD.zero_grad()
    d_loss.backward()
    oD.step()
    g_loss = bce(D(fake), torch.ones(64, 1))
    oG.zero_grad()
    g_loss.backward()
    oG.step()
