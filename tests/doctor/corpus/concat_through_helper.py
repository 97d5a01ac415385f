"""D's forward on a mixed batch hidden in a helper: d_logits(real, fake) concatenates along the batch."""
# expect: T01=pass T02=pass T03=pass T04=fail T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T04=fail d_logits feeds torch.cat((real, fake)) (dim 0) to a D with BatchNorm2d
import torch
import torch.nn as nn
from torchvision import datasets, transforms

netG = nn.Sequential(
    nn.ConvTranspose2d(64, 128, 7, 1, 0), nn.BatchNorm2d(128), nn.ReLU(True),
    nn.ConvTranspose2d(128, 1, 4, 2, 1), nn.Tanh(),
)
netD = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(64 * 7 * 7, 1))
bce = nn.BCEWithLogitsLoss()
opt_g = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))


def d_logits(real, fake):
    both = torch.cat((real, fake))
    return netD(both)


loader = torch.utils.data.DataLoader(datasets.MNIST("data", download=True, transform=transforms.Compose([transforms.Resize(14), transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])), batch_size=64)
for epoch in range(10):
    for real, _ in loader:
        b = real.size(0)
        fake = netG(torch.randn(b, 64, 1, 1))
        logits = d_logits(real, fake.detach())
        targets = torch.cat([torch.ones(b, 1), torch.zeros(b, 1)])
        d_loss = bce(logits, targets)
        opt_d.zero_grad()
        d_loss.backward()
        opt_d.step()
        out = netD(fake)
        g_loss = bce(out, torch.ones_like(out))
        opt_g.zero_grad()
        g_loss.backward()
        opt_g.step()
