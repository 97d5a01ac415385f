"""The minimax G loss written with tensor methods: (-p_fake).log1p().mean()."""
# expect: T01=pass T02=fail T03=pass T04=na T05=pass T06=absent T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=fail errG = (-p_fake).log1p().mean() = log(1 - D(G(z)))
import torch
from torch import nn

netG = nn.Sequential(nn.Linear(5, 50), nn.Tanh(), nn.Linear(50, 5), nn.Tanh())
netD = nn.Sequential(nn.Linear(5, 50), nn.Tanh(), nn.Linear(50, 1), nn.Sigmoid())
optimizerG = torch.optim.Adam(netG.parameters(), lr=5e-4)
optimizerD = torch.optim.Adam(netD.parameters(), lr=5e-4)
table = torch.load("returns.pt")  # already in [-1, 1]

for epoch in range(400):
    for real in table.split(32):
        p_real = netD(real)
        p_fake = netD(netG(torch.randn(real.shape[0], 5)).detach())
        errD = -(p_real.log() + (-p_fake).log1p()).mean()
        optimizerD.zero_grad()
        errD.backward()
        optimizerD.step()
        p_fake = netD(netG(torch.randn(real.shape[0], 5)))
        errG = (-p_fake).log1p().mean()
        optimizerG.zero_grad()
        errG.backward()
        optimizerG.step()
