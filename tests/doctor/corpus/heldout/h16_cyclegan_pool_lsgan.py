"""CycleGAN-style unpaired translation: LSGAN (MSE) losses, image pools of past fakes, InstanceNorm."""
# expect: T01=pass T02=na T03=na T04=na T05=pass T06=absent T07=pass T08=pass T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=na least-squares adversarial loss (MSELoss)
# reason: T08=pass D is shown fakes drawn from an ImagePool history of 50 past images
# reason: T04=na both nets use InstanceNorm2d, no BatchNorm
# reason: T03=na the generators translate images, no latent code
import itertools
import random

import torch
import torch.nn as nn
from torchvision import transforms


class ImagePool:
    def __init__(self, size=50):
        self.size, self.images = size, []

    def query(self, images):
        out = []
        for img in images:
            img = img.unsqueeze(0)
            if len(self.images) < self.size:
                self.images.append(img)
                out.append(img)
            elif random.random() > 0.5:
                i = random.randint(0, self.size - 1)
                out.append(self.images[i].clone())
                self.images[i] = img
            else:
                out.append(img)
        return torch.cat(out, 0)


class ResBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), nn.InstanceNorm2d(c), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(c, c, 3), nn.InstanceNorm2d(c),
        )

    def forward(self, x):
        return x + self.block(x)


class ResnetGenerator(nn.Module):
    def __init__(self, c=3, f=64, n_blocks=6):
        super().__init__()
        layers = [nn.ReflectionPad2d(3), nn.Conv2d(c, f, 7), nn.InstanceNorm2d(f), nn.ReLU(True),
                  nn.Conv2d(f, f * 2, 3, 2, 1), nn.InstanceNorm2d(f * 2), nn.ReLU(True)]
        layers += [ResBlock(f * 2) for _ in range(n_blocks)]
        layers += [nn.ConvTranspose2d(f * 2, f, 3, 2, 1, output_padding=1), nn.InstanceNorm2d(f), nn.ReLU(True),
                   nn.ReflectionPad2d(3), nn.Conv2d(f, c, 7), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


class NLayerDiscriminator(nn.Module):
    def __init__(self, c=3, f=64):
        super().__init__()
        self.model = nn.Sequential(
            nn.Conv2d(c, f, 4, 2, 1), nn.LeakyReLU(0.2, True),
            nn.Conv2d(f, f * 2, 4, 2, 1), nn.InstanceNorm2d(f * 2), nn.LeakyReLU(0.2, True),
            nn.Conv2d(f * 2, 1, 4, 1, 1),
        )

    def forward(self, x):
        return self.model(x)


G_AB, G_BA = ResnetGenerator(), ResnetGenerator()
D_A, D_B = NLayerDiscriminator(), NLayerDiscriminator()
criterion_GAN, criterion_cycle = nn.MSELoss(), nn.L1Loss()
optimizer_G = torch.optim.Adam(itertools.chain(G_AB.parameters(), G_BA.parameters()), lr=2e-4, betas=(0.5, 0.999))
optimizer_D_A = torch.optim.Adam(D_A.parameters(), lr=2e-4, betas=(0.5, 0.999))
optimizer_D_B = torch.optim.Adam(D_B.parameters(), lr=2e-4, betas=(0.5, 0.999))
fake_A_pool, fake_B_pool = ImagePool(), ImagePool()
norm = transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))
batches = torch.load("horse2zebra_batches.pt")

for epoch in range(100):
    for batch in batches:
        real_A, real_B = norm(batch["A"]), norm(batch["B"])
        optimizer_G.zero_grad()
        fake_B, fake_A = G_AB(real_A), G_BA(real_B)
        pred_B, pred_A = D_B(fake_B), D_A(fake_A)
        loss_GAN = criterion_GAN(pred_B, torch.ones_like(pred_B)) + criterion_GAN(pred_A, torch.ones_like(pred_A))
        loss_cycle = criterion_cycle(G_BA(fake_B), real_A) + criterion_cycle(G_AB(fake_A), real_B)
        loss_G = loss_GAN + 10.0 * loss_cycle
        loss_G.backward()
        optimizer_G.step()
        for D, real, fake, opt, pool in ((D_A, real_A, fake_A, optimizer_D_A, fake_A_pool), (D_B, real_B, fake_B, optimizer_D_B, fake_B_pool)):
            opt.zero_grad()
            pred_real = D(real)
            pred_fake = D(pool.query(fake.detach()))
            loss_D = 0.5 * (criterion_GAN(pred_real, torch.ones_like(pred_real)) + criterion_GAN(pred_fake, torch.zeros_like(pred_fake)))
            loss_D.backward()
            opt.step()
