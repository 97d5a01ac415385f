"""Concatenated real+fake batch into a spectrally normalised D without BatchNorm (tip 4 n/a)."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=pass T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
import torch
from torch import nn
from torch.nn.utils import spectral_norm

disc = nn.Sequential(spectral_norm(nn.Linear(2, 128)), nn.LeakyReLU(0.1), spectral_norm(nn.Linear(128, 1)))
gen = nn.Sequential(nn.Linear(8, 128), nn.LeakyReLU(0.1), nn.Linear(128, 2), nn.Tanh())
loss_fn = nn.BCEWithLogitsLoss()
opt_disc = torch.optim.Adam(disc.parameters(), lr=1e-3)
opt_gen = torch.optim.Adam(gen.parameters(), lr=1e-3)
data = torch.load("ring.pt").clamp(-1, 1)

for step in range(5000):
    real = data[torch.randint(0, len(data), (256,))]
    fake = gen(torch.randn(256, 8))
    batch = torch.cat((real, fake.detach()))
    targets = torch.cat((torch.full((256, 1), 0.9), torch.zeros(256, 1)))
    disc_loss = loss_fn(disc(batch), targets)
    opt_disc.zero_grad()
    disc_loss.backward()
    opt_disc.step()
    gen_loss = loss_fn(disc(fake), torch.ones(256, 1))
    opt_gen.zero_grad()
    gen_loss.backward()
    opt_gen.step()
