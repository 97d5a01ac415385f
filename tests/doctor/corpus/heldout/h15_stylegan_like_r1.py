"""StyleGAN2-flavoured loop: logistic losses with softplus, lazy R1 penalty, minibatch stddev, EMA of G."""
# expect: T01=pass T02=pass T03=pass T04=na T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=pass T16=na T17=absent
# reason: T02=pass g_nonsaturating_loss is softplus(-D(G(z))).mean()
# reason: T15=pass D appends a minibatch standard-deviation channel
# reason: T12=absent ImageFolder provides class labels that D ignores
import copy

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import autograd
from torchvision import datasets, transforms


def d_logistic_loss(real_pred, fake_pred):
    return F.softplus(-real_pred).mean() + F.softplus(fake_pred).mean()


def d_r1_loss(real_pred, real_img):
    (grad_real,) = autograd.grad(outputs=real_pred.sum(), inputs=real_img, create_graph=True)
    return grad_real.pow(2).reshape(grad_real.shape[0], -1).sum(1).mean()


def g_nonsaturating_loss(fake_pred):
    return F.softplus(-fake_pred).mean()


class MinibatchStdDev(nn.Module):
    def forward(self, x):
        std = x.std(0, unbiased=False).mean().view(1, 1, 1, 1).expand(x.size(0), 1, x.size(2), x.size(3))
        return torch.cat([x, std], 1)


class Generator(nn.Module):
    def __init__(self, style_dim=256):
        super().__init__()
        self.mapping = nn.Sequential(nn.Linear(style_dim, style_dim), nn.LeakyReLU(0.2), nn.Linear(style_dim, style_dim))
        self.const = nn.Parameter(torch.randn(1, 256, 4, 4))
        self.body = nn.Sequential(
            nn.Upsample(scale_factor=2), nn.Conv2d(256, 128, 3, 1, 1), nn.LeakyReLU(0.2),
            nn.Upsample(scale_factor=2), nn.Conv2d(128, 64, 3, 1, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 3, 1),
        )

    def forward(self, z):
        w = self.mapping(z)
        x = self.const.expand(z.size(0), -1, -1, -1) * w.mean(1).view(-1, 1, 1, 1)
        return torch.tanh(self.body(x))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(3, 64, 3, 1, 1), nn.LeakyReLU(0.2), nn.AvgPool2d(2),
            nn.Conv2d(64, 128, 3, 1, 1), nn.LeakyReLU(0.2), nn.AvgPool2d(2),
        )
        self.mbstd = MinibatchStdDev()
        self.head = nn.Sequential(nn.Conv2d(129, 128, 3, 1, 1), nn.LeakyReLU(0.2), nn.Flatten(), nn.Linear(128 * 16, 1))

    def forward(self, x):
        return self.head(self.mbstd(self.body(x)))


def accumulate(ema, model, decay=0.999):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.data.mul_(decay).add_(pm.data, alpha=1 - decay)


generator, discriminator = Generator(), Discriminator()
g_ema = copy.deepcopy(generator)
g_optim = torch.optim.Adam(generator.parameters(), lr=2e-3, betas=(0, 0.99))
d_optim = torch.optim.Adam(discriminator.parameters(), lr=2e-3, betas=(0, 0.99))
tf = transforms.Compose([transforms.Resize(16), transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5), inplace=True)])
loader = torch.utils.data.DataLoader(datasets.ImageFolder("ffhq", transform=tf), batch_size=16, shuffle=True)

for i, (real_img, _) in enumerate(loader):
    noise = torch.randn(real_img.size(0), 256)
    fake_img = generator(noise)
    d_loss = d_logistic_loss(discriminator(real_img), discriminator(fake_img.detach()))
    d_optim.zero_grad()
    d_loss.backward()
    d_optim.step()
    if i % 16 == 0:
        real_img.requires_grad = True
        r1_loss = d_r1_loss(discriminator(real_img), real_img)
        d_optim.zero_grad()
        (10 / 2 * r1_loss * 16).backward()
        d_optim.step()
    g_loss = g_nonsaturating_loss(discriminator(generator(torch.randn(real_img.size(0), 256))))
    g_optim.zero_grad()
    g_loss.backward()
    g_optim.step()
    accumulate(g_ema, generator)
