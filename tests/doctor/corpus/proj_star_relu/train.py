"""models.py + train.py joined by a star import; the discriminator uses F.relu in its forward."""
# expect: T01=pass T02=pass T03=pass T04=na T05=fail T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T05=fail ConvDiscriminator.forward applies F.relu to both conv layers
# reason: T02=pass errG = loss_fn(netD(fake), ones)
import torch
from torch import nn

from models import *  # noqa: F403

netG = ConvGenerator()  # noqa: F405
netD = ConvDiscriminator()  # noqa: F405
loss_fn = nn.BCEWithLogitsLoss()
optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
batches = torch.load("glyph_batches.pt")  # normalised to [-1, 1] already

for epoch in range(40):
    for real in batches:
        b = real.size(0)
        ones, zeros = torch.ones(b, 1), torch.zeros(b, 1)
        fake = netG(torch.randn(b, 100))
        errD = loss_fn(netD(real), ones) + loss_fn(netD(fake.detach()), zeros)
        optD.zero_grad()
        errD.backward()
        optD.step()
        errG = loss_fn(netD(fake), ones)
        optG.zero_grad()
        errG.backward()
        optG.step()
