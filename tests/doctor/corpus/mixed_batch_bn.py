"""D sees one concatenated real+fake batch and has BatchNorm (labels built by torch.cat too)."""
# expect: T01=pass T02=pass T03=pass T04=fail T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
import torch
import torch.nn as nn

nz = 100
netG = nn.Sequential(
    nn.ConvTranspose2d(nz, 128, 7, 1, 0), nn.BatchNorm2d(128), nn.ReLU(),
    nn.ConvTranspose2d(128, 1, 4, 2, 1), nn.Tanh())
netD = nn.Sequential(
    nn.Conv2d(1, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2),
    nn.Conv2d(64, 1, 14, 1, 0), nn.Flatten())
bce = nn.BCEWithLogitsLoss()
optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))

for x_real in torch.load("batches.pt"):
    x_real = x_real / 127.5 - 1.0
    b = x_real.size(0)
    x_fake = netG(torch.randn(b, nz, 1, 1))
    x_all = torch.cat([x_real, x_fake.detach()], dim=0)
    y_all = torch.cat([torch.ones(b, 1), torch.zeros(b, 1)])
    lossD = bce(netD(x_all), y_all)
    optD.zero_grad()
    lossD.backward()
    optD.step()
    lossG = bce(netD(x_fake), torch.ones(b, 1))
    optG.zero_grad()
    lossG.backward()
    optG.step()
