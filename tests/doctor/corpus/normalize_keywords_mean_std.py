"""Normalize with keyword arguments; G ends with tanh (the issue's false T01 fail)."""
# expect: T01=pass T02=pass T03=pass T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T01=pass transforms.Normalize(mean=[0.5], std=[0.5]) maps ToTensor's [0, 1] to [-1, 1]
import torch
import torch.nn as nn
import torchvision.transforms as T
from torchvision.datasets import KMNIST

transform = T.Compose([T.ToTensor(), T.Normalize(mean=[0.5], std=[0.5])])
loader = torch.utils.data.DataLoader(KMNIST("data", download=True, transform=transform), batch_size=128, shuffle=True)


class Generator(nn.Module):
    def __init__(self, nz=100):
        super().__init__()
        self.fc = nn.Sequential(nn.Linear(nz, 128 * 7 * 7), nn.BatchNorm1d(128 * 7 * 7), nn.ReLU())
        self.up = nn.Sequential(nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(), nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())

    def forward(self, z):
        return self.up(self.fc(z).view(-1, 128, 7, 7))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2))
        self.fc = nn.Linear(128 * 7 * 7, 1)

    def forward(self, x):
        return self.fc(self.conv(x).flatten(1))


G, D = Generator(), Discriminator()
loss = nn.BCEWithLogitsLoss()
g_opt = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999))
d_opt = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
for epoch in range(25):
    for x, _ in loader:
        ones, zeros = torch.ones(x.size(0), 1), torch.zeros(x.size(0), 1)
        fake = G(torch.randn(x.size(0), 100))
        d_loss = loss(D(x), ones) + loss(D(fake.detach()), zeros)
        d_opt.zero_grad()
        d_loss.backward()
        d_opt.step()
        g_loss = loss(D(fake), ones)
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()
