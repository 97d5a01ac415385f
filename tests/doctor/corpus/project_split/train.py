"""Training script importing its models from models.py: mixed real/fake batch, G.eval() for sampling."""
# expect: T01=pass T02=pass T03=pass T04=fail T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=fail
import torch
from torch.nn import functional as F

from models import Discriminator, Generator

netG, netD = Generator(), Discriminator()
optimizerG = torch.optim.Adam(netG.parameters(), 2e-4, betas=(0.5, 0.999))
optimizerD = torch.optim.Adam(netD.parameters(), 2e-4, betas=(0.5, 0.999))

for real in torch.load("celeba16.pt"):
    real = real / 127.5 - 1
    b = real.size(0)
    fake = netG(torch.randn(b, 64, 1, 1))
    logits = netD(torch.cat([real, fake.detach()]))
    targets = torch.cat([torch.ones(b, 1), torch.zeros(b, 1)])
    errD = F.binary_cross_entropy_with_logits(logits, targets)
    optimizerD.zero_grad(); errD.backward(); optimizerD.step()
    errG = F.binary_cross_entropy_with_logits(netD(fake), torch.ones(b, 1))
    optimizerG.zero_grad(); errG.backward(); optimizerG.step()

netG.eval()
samples = netG(torch.randn(64, 64, 1, 1))
