"""A VGG-like discriminator that downsamples with F.max_pool2d in its forward."""
# expect: T01=pass T02=pass T03=pass T04=na T05=fail T06=pass T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T05=fail Discriminator.forward calls F.max_pool2d
# reason: T06=pass the real label is 0.9
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision import datasets, transforms


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(128, 256 * 4 * 4)
        self.body = nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(256, 128, 3, 1, 1), nn.ReLU(), nn.Upsample(scale_factor=2), nn.Conv2d(128, 3, 3, 1, 1))

    def forward(self, z):
        return torch.tanh(self.body(self.fc(z).view(-1, 256, 4, 4)))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(3, 64, 3, 1, 1), nn.Conv2d(64, 128, 3, 1, 1)
        self.fc = nn.Linear(128 * 4 * 4, 1)

    def forward(self, x):
        x = F.max_pool2d(F.leaky_relu(self.c1(x), 0.2), 2)
        x = F.max_pool2d(F.leaky_relu(self.c2(x), 0.2), 2)
        return self.fc(x.flatten(1))


G, D = Generator(), Discriminator()
crit = nn.BCEWithLogitsLoss()
oG = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
oD = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
loader = torch.utils.data.DataLoader(datasets.SVHN("data", download=True, transform=transforms.Compose([transforms.Resize(16), transforms.ToTensor(), transforms.Normalize((0.5,) * 3, (0.5,) * 3)])), batch_size=64)
REAL = 0.9
for epoch in range(30):
    for x, _ in loader:
        fake = G(torch.randn(x.size(0), 128))
        lossD = crit(D(x), torch.full((x.size(0), 1), REAL)) + crit(D(fake.detach()), torch.zeros(x.size(0), 1))
        oD.zero_grad()
        lossD.backward()
        oD.step()
        lossG = crit(D(fake), torch.ones(x.size(0), 1))
        oG.zero_grad()
        lossG.backward()
        oG.step()
