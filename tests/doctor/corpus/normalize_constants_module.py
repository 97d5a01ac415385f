"""Normalisation statistics kept as module constants and list arithmetic: [0.5] * 3."""
# expect: T01=pass T02=pass T03=pass T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T01=pass MEAN = STD = [0.5] * CHANNELS, so Normalize(MEAN, STD) maps to [-1, 1]
import torch
from torch import nn
from torchvision import datasets, transforms

CHANNELS = 3
MEAN = [0.5] * CHANNELS
STD = [0.5] * CHANNELS
LATENT = 128

preprocess = transforms.Compose([transforms.Resize(32), transforms.ToTensor(), transforms.Normalize(MEAN, STD)])
dataset = datasets.STL10("data", split="unlabeled", download=True, transform=preprocess)
loader = torch.utils.data.DataLoader(dataset, batch_size=64, shuffle=True, num_workers=4)

netG = nn.Sequential(
    nn.ConvTranspose2d(LATENT, 256, 4, 1, 0, bias=False), nn.BatchNorm2d(256), nn.ReLU(True),
    nn.ConvTranspose2d(256, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(True),
    nn.ConvTranspose2d(128, 64, 4, 2, 1, bias=False), nn.BatchNorm2d(64), nn.ReLU(True),
    nn.ConvTranspose2d(64, CHANNELS, 4, 2, 1, bias=False), nn.Tanh(),
)
netD = nn.Sequential(
    nn.Conv2d(CHANNELS, 64, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, True),
    nn.Conv2d(64, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.LeakyReLU(0.2, True),
    nn.Conv2d(128, 256, 4, 2, 1, bias=False), nn.BatchNorm2d(256), nn.LeakyReLU(0.2, True),
    nn.Conv2d(256, 1, 4, 1, 0, bias=False),
)
criterion = nn.BCEWithLogitsLoss()
optD = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
optG = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))

for epoch in range(50):
    for real, _ in loader:
        b = real.size(0)
        fake = netG(torch.randn(b, LATENT, 1, 1))
        out_real, out_fake = netD(real).view(-1), netD(fake.detach()).view(-1)
        errD = criterion(out_real, torch.ones(b)) + criterion(out_fake, torch.zeros(b))
        optD.zero_grad()
        errD.backward()
        optD.step()
        errG = criterion(netD(fake).view(-1), torch.ones(b))
        optG.zero_grad()
        errG.backward()
        optG.step()
