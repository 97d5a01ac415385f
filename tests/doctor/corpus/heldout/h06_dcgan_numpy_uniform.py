"""DCGAN on CIFAR-10 with one-sided smoothing and a uniform code drawn with numpy."""
# expect: T01=pass T02=pass T03=fail T04=pass T05=pass T06=pass T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=absent T15=absent T16=na T17=absent
# reason: T03=fail z is np.random.uniform(-1, 1, ...) converted with torch.from_numpy
# reason: T01=pass tanh output and Normalize([0.5] * 3, [0.5] * 3) maps the data to [-1, 1]
# reason: T06=pass the real label is 0.9 (one-sided smoothing)
# reason: T02=pass G is trained on label.fill_(real_label): fakes labelled real
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
import torchvision.datasets as dset
import torchvision.transforms as T

nz, ngf, ndf, nc = 100, 64, 64, 3
real_label, fake_label = 0.9, 0.0
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

tf = T.Compose([T.Resize(32), T.ToTensor(), T.Normalize([0.5] * 3, [0.5] * 3)])
data = dset.CIFAR10("./data", download=True, transform=tf)
loader = torch.utils.data.DataLoader(data, batch_size=128, shuffle=True, num_workers=2)


class G(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 4, 4, 1, 0, bias=False), nn.BatchNorm2d(ngf * 4), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf * 2), nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False), nn.Tanh(),
        )

    def forward(self, x):
        return self.main(x)


class D(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 2), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, ndf * 4, 4, 2, 1, bias=False), nn.BatchNorm2d(ndf * 4), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 4, 1, 4, 1, 0, bias=False), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.main(x).view(-1)


netG, netD = G().to(device), D().to(device)
criterion = nn.BCELoss()
optD = optim.Adam(netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
optG = optim.Adam(netG.parameters(), lr=2e-4, betas=(0.5, 0.999))

for epoch in range(25):
    for i, (x, _) in enumerate(loader):
        x = x.to(device)
        b = x.size(0)
        netD.zero_grad()
        label = torch.full((b,), real_label, device=device)
        errD_real = criterion(netD(x), label)
        errD_real.backward()
        noise = torch.from_numpy(np.random.uniform(-1, 1, size=(b, nz, 1, 1))).float().to(device)
        fake = netG(noise)
        label.fill_(fake_label)
        errD_fake = criterion(netD(fake.detach()), label)
        errD_fake.backward()
        optD.step()
        netG.zero_grad()
        label.fill_(real_label)
        errG = criterion(netD(fake), label)
        errG.backward()
        optG.step()
