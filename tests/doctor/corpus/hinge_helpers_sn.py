"""SAGAN-style hinge losses as helper functions and a spectrally normalised D with self-attention."""
# expect: T01=pass T02=na T03=pass T04=na T05=pass T06=na T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=na loss_hinge_gen returns -mean(D(G(z))): hinge/critic form
# reason: T06=na hinge losses have no real/fake labels
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import spectral_norm
from torchvision import datasets, transforms


def loss_hinge_dis(dis_real, dis_fake):
    return torch.mean(F.relu(1.0 - dis_real)), torch.mean(F.relu(1.0 + dis_fake))


def loss_hinge_gen(dis_fake):
    return -torch.mean(dis_fake)


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.q, self.k, self.v = nn.Conv2d(c, c // 8, 1), nn.Conv2d(c, c // 8, 1), nn.Conv2d(c, c, 1)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        b, c, h, w = x.shape
        attn = torch.softmax(self.q(x).flatten(2).transpose(1, 2) @ self.k(x).flatten(2), -1)
        return x + self.gamma * (self.v(x).flatten(2) @ attn.transpose(1, 2)).view(b, c, h, w)


class Generator(nn.Module):
    def __init__(self, z_dim=128):
        super().__init__()
        self.net = nn.Sequential(
            nn.ConvTranspose2d(z_dim, 256, 4), nn.BatchNorm2d(256), nn.ReLU(),
            nn.ConvTranspose2d(256, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.ReLU(), SelfAttention(128),
            nn.ConvTranspose2d(128, 3, 4, 2, 1), nn.Tanh(),
        )

    def forward(self, z):
        return self.net(z.view(z.size(0), -1, 1, 1))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            spectral_norm(nn.Conv2d(3, 64, 4, 2, 1)), nn.LeakyReLU(0.1), SelfAttention(64),
            spectral_norm(nn.Conv2d(64, 128, 4, 2, 1)), nn.LeakyReLU(0.1),
            spectral_norm(nn.Conv2d(128, 1, 4)),
        )

    def forward(self, x):
        return self.net(x).view(-1)


G, D = Generator(), Discriminator()
g_optimizer = torch.optim.Adam(G.parameters(), 1e-4, betas=(0.0, 0.9))
d_optimizer = torch.optim.Adam(D.parameters(), 4e-4, betas=(0.0, 0.9))
tf = transforms.Compose([transforms.Resize(16), transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])
loader = torch.utils.data.DataLoader(datasets.CelebA("data", download=True, transform=tf), batch_size=64)

for epoch in range(20):
    for real_images, _ in loader:
        z = torch.randn(real_images.size(0), 128)
        fake_images = G(z)
        d_loss_real, d_loss_fake = loss_hinge_dis(D(real_images), D(fake_images.detach()))
        d_loss = d_loss_real + d_loss_fake
        d_optimizer.zero_grad()
        d_loss.backward()
        d_optimizer.step()
        g_loss = loss_hinge_gen(D(G(torch.randn(real_images.size(0), 128))))
        g_optimizer.zero_grad()
        g_loss.backward()
        g_optimizer.step()
