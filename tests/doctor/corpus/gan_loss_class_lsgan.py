"""pix2pix/CycleGAN-style GANLoss class; the mode is chosen by a constructor argument (here LSGAN)."""
# expect: T01=pass T02=na T03=na T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T02=na GANLoss("lsgan") computes MSELoss: a least-squares objective
# reason: T06=absent the targets are the buffers 1.0 and 0.0
# reason: T03=na G maps an input image, no latent code
import torch
import torch.nn as nn


class GANLoss(nn.Module):
    def __init__(self, gan_mode, target_real_label=1.0, target_fake_label=0.0):
        super().__init__()
        self.register_buffer("real_label", torch.tensor(target_real_label))
        self.register_buffer("fake_label", torch.tensor(target_fake_label))
        self.gan_mode = gan_mode
        if gan_mode == "lsgan":
            self.loss = nn.MSELoss()
        elif gan_mode == "vanilla":
            self.loss = nn.BCEWithLogitsLoss()
        else:
            raise NotImplementedError(gan_mode)

    def get_target_tensor(self, prediction, target_is_real):
        if target_is_real:
            target_tensor = self.real_label
        else:
            target_tensor = self.fake_label
        return target_tensor.expand_as(prediction)

    def __call__(self, prediction, target_is_real):
        return self.loss(prediction, self.get_target_tensor(prediction, target_is_real))


class EncoderDecoderGenerator(nn.Module):
    def __init__(self, c=3, f=32):
        super().__init__()
        self.enc = nn.Sequential(nn.Conv2d(c, f, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(f, f * 2, 4, 2, 1), nn.BatchNorm2d(f * 2), nn.LeakyReLU(0.2))
        self.dec = nn.Sequential(nn.ConvTranspose2d(f * 2, f, 4, 2, 1), nn.BatchNorm2d(f), nn.ReLU(), nn.ConvTranspose2d(f, c, 4, 2, 1), nn.Tanh())

    def forward(self, x):
        return self.dec(self.enc(x))


class PatchDiscriminator(nn.Module):
    def __init__(self, c=6, f=32):
        super().__init__()
        self.model = nn.Sequential(nn.Conv2d(c, f, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(f, f * 2, 4, 2, 1), nn.BatchNorm2d(f * 2), nn.LeakyReLU(0.2), nn.Conv2d(f * 2, 1, 4, 1, 1))

    def forward(self, x):
        return self.model(x)


netG, netD = EncoderDecoderGenerator(), PatchDiscriminator()
criterionGAN = GANLoss("lsgan")
criterionL1 = nn.L1Loss()
optimizer_G = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
optimizer_D = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
pairs = torch.load("maps_pairs.pt")  # (A, B) tensors already in [-1, 1]

for epoch in range(100):
    for real_A, real_B in pairs:
        fake_B = netG(real_A)
        optimizer_D.zero_grad()
        pred_fake = netD(torch.cat((real_A, fake_B), 1).detach())
        pred_real = netD(torch.cat((real_A, real_B), 1))
        loss_D = (criterionGAN(pred_fake, False) + criterionGAN(pred_real, True)) * 0.5
        loss_D.backward()
        optimizer_D.step()
        optimizer_G.zero_grad()
        loss_G_GAN = criterionGAN(netD(torch.cat((real_A, fake_B), 1)), True)
        loss_G = loss_G_GAN + criterionL1(fake_B, real_B) * 100.0
        loss_G.backward()
        optimizer_G.step()
