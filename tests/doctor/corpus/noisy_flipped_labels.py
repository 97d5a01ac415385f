"""Soft random targets (0.7-1.2 / 0.0-0.3) and occasional label flips for D."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=pass T07=absent T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
import torch
import torch.nn as nn


def noisy_targets(n, real=True, flip_p=0.05):
    if real:
        y = torch.empty(n, 1).uniform_(0.7, 1.2)
    else:
        y = torch.empty(n, 1).uniform_(0.0, 0.3)
    flip = torch.rand(n, 1) < flip_p
    return torch.where(flip, 1.0 - y, y)


netG = nn.Sequential(nn.Linear(16, 64), nn.LeakyReLU(0.2), nn.Linear(64, 2), nn.Tanh())
netD = nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
bce = nn.BCEWithLogitsLoss()
optG = torch.optim.Adam(netG.parameters(), lr=1e-4, betas=(0.5, 0.99))
optD = torch.optim.Adam(netD.parameters(), lr=1e-4, betas=(0.5, 0.99))

for step in range(20000):
    real = torch.load("mixture.pt")[:128]
    fake = netG(torch.randn(128, 16))
    errD = bce(netD(real), noisy_targets(128, True)) + bce(netD(fake.detach()), noisy_targets(128, False))
    optD.zero_grad(); errD.backward(); optD.step()
    errG = bce(netD(fake), torch.ones(128, 1))
    optG.zero_grad(); errG.backward(); optG.step()
