"""pix2pix-like: condition concatenated along channels; G has nn.Dropout but is put in eval()."""
# expect: T01=pass T02=pass T03=na T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=fail
import torch
import torch.nn as nn


class UNetGenerator(nn.Module):
    def __init__(self):
        super().__init__()
        self.down = nn.Sequential(nn.Conv2d(3, 64, 4, 2, 1), nn.LeakyReLU(0.2))
        self.up = nn.Sequential(nn.ConvTranspose2d(64, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.Dropout(0.5), nn.ReLU())
        self.out = nn.Conv2d(64, 3, 3, 1, 1)

    def forward(self, x):
        return torch.tanh(self.out(self.up(self.down(x))))


class PatchDiscriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(
            nn.Conv2d(6, 64, 4, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
            nn.Conv2d(128, 1, 4, 1, 1))

    def forward(self, a, b):
        return self.model(torch.cat([a, b], 1))


netG, netD = UNetGenerator(), PatchDiscriminator()
criterionGAN = nn.BCEWithLogitsLoss()
criterionL1 = nn.L1Loss()
optimizer_G = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
optimizer_D = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))

for real_A, real_B in torch.load("pairs.pt"):
    real_A, real_B = real_A * 2 - 1, real_B * 2 - 1
    fake_B = netG(real_A)
    pred_fake = netD(real_A, fake_B.detach())
    pred_real = netD(real_A, real_B)
    loss_D = 0.5 * (criterionGAN(pred_fake, torch.zeros_like(pred_fake)) + criterionGAN(pred_real, torch.ones_like(pred_real)))
    optimizer_D.zero_grad()
    loss_D.backward()
    optimizer_D.step()
    pred_fake = netD(real_A, fake_B)
    loss_G = criterionGAN(pred_fake, torch.ones_like(pred_fake)) + 100 * criterionL1(fake_B, real_B)
    optimizer_G.zero_grad()
    loss_G.backward()
    optimizer_G.step()

netG.eval()
with torch.no_grad():
    sample = netG(real_A)
