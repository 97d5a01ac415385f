"""SNGAN on CIFAR-10: spectral-norm critic, hinge loss, five critic steps per generator step."""
# expect: T01=pass T02=na T03=pass T04=na T05=pass T06=na T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=pass T15=absent T16=na T17=absent
# reason: T02=na hinge loss: D minimises relu(1 - D(x)) + relu(1 + D(G(z))), G minimises -D(G(z))
# reason: T14=pass `for _ in range(n_dis)` wraps the critic update, then one G step
# reason: T04=na the critic uses spectral norm, no BatchNorm
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm
from torchvision import datasets, transforms

z_dim, n_dis, batch_size = 128, 5, 64


class ResGenerator(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(z_dim, 4 * 4 * 256)
        self.blocks = nn.Sequential(
            nn.BatchNorm2d(256), nn.ReLU(), nn.ConvTranspose2d(256, 128, 4, 2, 1),
            nn.BatchNorm2d(128), nn.ReLU(), nn.ConvTranspose2d(128, 64, 4, 2, 1),
            nn.BatchNorm2d(64), nn.ReLU(), nn.ConvTranspose2d(64, 32, 4, 2, 1),
        )
        self.to_rgb = nn.Conv2d(32, 3, 3, 1, 1)

    def forward(self, z):
        h = self.blocks(self.linear(z).view(-1, 256, 4, 4))
        return torch.tanh(self.to_rgb(h))


class SNDiscriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            spectral_norm(nn.Conv2d(3, 64, 3, 1, 1)), nn.LeakyReLU(0.1),
            spectral_norm(nn.Conv2d(64, 128, 4, 2, 1)), nn.LeakyReLU(0.1),
            spectral_norm(nn.Conv2d(128, 256, 4, 2, 1)), nn.LeakyReLU(0.1),
            spectral_norm(nn.Conv2d(256, 512, 4, 2, 1)), nn.LeakyReLU(0.1),
        )
        self.linear = spectral_norm(nn.Linear(4 * 4 * 512, 1))

    def forward(self, x):
        return self.linear(torch.flatten(self.main(x), start_dim=1))


net_G, net_D = ResGenerator(), SNDiscriminator()
optim_G = torch.optim.Adam(net_G.parameters(), lr=2e-4, betas=(0.0, 0.9))
optim_D = torch.optim.Adam(net_D.parameters(), lr=2e-4, betas=(0.0, 0.9))
dataset = datasets.CIFAR10("./data", train=True, download=True,
                           transform=transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]))
loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True, drop_last=True)
looper = iter(loader)

for step in range(100000):
    for _ in range(n_dis):
        try:
            real, _ = next(looper)
        except StopIteration:
            looper = iter(loader)
            real, _ = next(looper)
        with torch.no_grad():
            fake = net_G(torch.randn(batch_size, z_dim))
        loss_D = F.relu(1.0 - net_D(real)).mean() + F.relu(1.0 + net_D(fake)).mean()
        optim_D.zero_grad()
        loss_D.backward()
        optim_D.step()
    loss_G = -net_D(net_G(torch.randn(batch_size * 2, z_dim))).mean()
    optim_G.zero_grad()
    loss_G.backward()
    optim_G.step()
