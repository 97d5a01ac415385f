"""A generator whose last activation is nn.ReLU (non-negative outputs) against [-1, 1] data."""
# expect: T01=fail T02=pass T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T01=fail the generator ends with nn.ReLU: it cannot produce negative values
import torch
from torch import nn

generator = nn.Sequential(nn.Linear(10, 64), nn.LeakyReLU(0.2), nn.Linear(64, 10), nn.ReLU())
discriminator = nn.Sequential(nn.Linear(10, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
g_opt = torch.optim.Adam(generator.parameters(), lr=1e-3)
d_opt = torch.optim.Adam(discriminator.parameters(), lr=1e-3)
loss = nn.BCEWithLogitsLoss()
vectors = torch.load("vec10.pt") * 2 - 1

for it in range(10000):
    real = vectors[torch.randint(len(vectors), (32,))]
    fake = generator(torch.randn(32, 10))
    d_loss = loss(discriminator(real), torch.ones(32, 1)) + loss(discriminator(fake.detach()), torch.zeros(32, 1))
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()
    g_loss = loss(discriminator(fake), torch.ones(32, 1))
    g_opt.zero_grad()
    g_loss.backward()
    g_opt.step()
