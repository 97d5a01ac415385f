"""Star import of torch.nn, z from numpy's uniform distribution in [-1, 1]."""
# expect: T01=pass T02=pass T03=fail T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
import numpy as np
import torch
from torch.nn import *


class NetG(Module):
    def __init__(self):
        super().__init__()
        self.main = Sequential(ConvTranspose2d(100, 64, 4, 1, 0), BatchNorm2d(64), LeakyReLU(0.2),
                               ConvTranspose2d(64, 3, 4, 2, 1), Tanh())

    def forward(self, x):
        return self.main(x)


class NetD(Module):
    def __init__(self):
        super().__init__()
        self.main = Sequential(Conv2d(3, 64, 4, 2, 1), BatchNorm2d(64), LeakyReLU(0.2), Conv2d(64, 1, 4, 1, 0), Sigmoid())

    def forward(self, x):
        return self.main(x).view(-1)


netG, netD = NetG(), NetD()
crit = BCELoss()
optG = torch.optim.Adam(netG.parameters(), 2e-4, betas=(0.5, 0.999))
optD = torch.optim.Adam(netD.parameters(), 2e-4, betas=(0.5, 0.999))
for real in torch.load("tiles.pt"):
    real = real / 127.5 - 1.0
    b = real.size(0)
    noise = torch.from_numpy(np.random.uniform(-1, 1, (b, 100, 1, 1))).float()
    fake = netG(noise)
    errD = crit(netD(real), torch.ones(b)) + crit(netD(fake.detach()), torch.zeros(b))
    optD.zero_grad(); errD.backward(); optD.step()
    errG = crit(netD(fake), torch.ones(b))
    optG.zero_grad(); errG.backward(); optG.step()
