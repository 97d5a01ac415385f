"""Image-to-image (pix2pix-like): GANLoss class with target_is_real, U-Net G with dropout, PatchGAN D."""
# expect: T01=pass T02=pass T03=na T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=na T13=absent T14=absent T15=absent T16=na T17=fail
# reason: T02=pass the G adversarial term is criterion_gan(D(A, G(A)), True): fakes labelled real
# reason: T17=fail G has nn.Dropout(0.5) and validate() puts it in eval mode, switching it off
# reason: T04=pass D has BatchNorm2d; A and B are joined along channels (dim 1), not the batch
# reason: T03=na G is conditioned on the input image, there is no latent code
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms


class GANLoss(nn.Module):
    def __init__(self, real_label=1.0, fake_label=0.0):
        super().__init__()
        self.register_buffer("real_label", torch.tensor(real_label))
        self.register_buffer("fake_label", torch.tensor(fake_label))
        self.loss = nn.BCEWithLogitsLoss()

    def target(self, pred, target_is_real):
        t = self.real_label if target_is_real else self.fake_label
        return t.expand_as(pred)

    def forward(self, pred, target_is_real):
        return self.loss(pred, self.target(pred, target_is_real))


def down(cin, cout, norm=True):
    layers = [nn.Conv2d(cin, cout, 4, 2, 1, bias=False)]
    if norm:
        layers.append(nn.BatchNorm2d(cout))
    layers.append(nn.LeakyReLU(0.2, True))
    return nn.Sequential(*layers)


def up(cin, cout, dropout=False):
    layers = [nn.ConvTranspose2d(cin, cout, 4, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(True)]
    if dropout:
        layers.append(nn.Dropout(0.5))
    return nn.Sequential(*layers)


class UNetGenerator(nn.Module):
    def __init__(self, c=3, f=64):
        super().__init__()
        self.d1, self.d2, self.d3 = down(c, f, norm=False), down(f, f * 2), down(f * 2, f * 4)
        self.u1 = up(f * 4, f * 2, dropout=True)
        self.u2 = up(f * 4, f, dropout=True)
        self.out = nn.Sequential(nn.ConvTranspose2d(f * 2, c, 4, 2, 1), nn.Tanh())

    def forward(self, x):
        h1 = self.d1(x)
        h2 = self.d2(h1)
        h3 = self.d3(h2)
        y = self.u1(h3)
        y = self.u2(torch.cat([y, h2], 1))
        return self.out(torch.cat([y, h1], 1))


class PatchDiscriminator(nn.Module):
    def __init__(self, c=6, f=64):
        super().__init__()
        self.net = nn.Sequential(down(c, f, norm=False), down(f, f * 2), down(f * 2, f * 4), nn.Conv2d(f * 4, 1, 4, 1, 1))

    def forward(self, a, b):
        return self.net(torch.cat([a, b], dim=1))


class Facades(Dataset):
    def __init__(self, root):
        self.root = root
        self.tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])

    def __len__(self):
        return 400

    def __getitem__(self, i):
        img = torch.load(f"{self.root}/{i}.pt")
        return {"A": self.tf(img[0]), "B": self.tf(img[1])}


netG, netD = UNetGenerator(), PatchDiscriminator()
criterion_gan, criterion_l1 = GANLoss(), nn.L1Loss()
opt_G = torch.optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_D = torch.optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
loader = DataLoader(Facades("facades"), batch_size=1, shuffle=True)


def validate(batch):
    netG.eval()
    with torch.no_grad():
        return netG(batch["A"])


for epoch in range(200):
    for batch in loader:
        real_A, real_B = batch["A"], batch["B"]
        fake_B = netG(real_A)
        opt_D.zero_grad()
        loss_D = 0.5 * (criterion_gan(netD(real_A, fake_B.detach()), False) + criterion_gan(netD(real_A, real_B), True))
        loss_D.backward()
        opt_D.step()
        opt_G.zero_grad()
        loss_G = criterion_gan(netD(real_A, fake_B), True) + 100.0 * criterion_l1(fake_B, real_B)
        loss_G.backward()
        opt_G.step()
    validate(batch)
