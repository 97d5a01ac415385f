"""Instance noise added to the real images only (the fake batch goes to D clean)."""
# expect: T01=pass T02=pass T03=pass T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=fail T14=absent T15=absent T16=na T17=absent
# reason: T13=fail noise is added to the real batch only, so D can tell real from fake by the noise
# reason: T02=pass G's loss is bce(D(fake), ones)
import torch
import torch.nn as nn
from torchvision import datasets, transforms

nz = 64


def generator():
    return nn.Sequential(
        nn.ConvTranspose2d(nz, 128, 7, 1, 0), nn.BatchNorm2d(128), nn.ReLU(True),
        nn.ConvTranspose2d(128, 64, 4, 2, 1), nn.BatchNorm2d(64), nn.ReLU(True),
        nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh(),
    )


def discriminator():
    return nn.Sequential(
        nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2, True),
        nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2, True),
        nn.Flatten(), nn.Linear(128 * 7 * 7, 1),
    )


netG, netD = generator(), discriminator()
bce = nn.BCEWithLogitsLoss()
g_opt = torch.optim.Adam(netG.parameters(), 2e-4, betas=(0.5, 0.999))
d_opt = torch.optim.Adam(netD.parameters(), 2e-4, betas=(0.5, 0.999))
tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
loader = torch.utils.data.DataLoader(datasets.FashionMNIST("data", download=True, transform=tf), batch_size=128)
noise_std = 0.1
for epoch in range(30):
    for real, _ in loader:
        b = real.size(0)
        ones, zeros = torch.ones(b, 1), torch.zeros(b, 1)
        noisy_real = real + noise_std * torch.randn_like(real)
        fake = netG(torch.randn(b, nz, 1, 1))
        d_loss = bce(netD(noisy_real), ones) + bce(netD(fake.detach()), zeros)
        d_opt.zero_grad()
        d_loss.backward()
        d_opt.step()
        g_loss = bce(netD(fake), ones)
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()
    noise_std *= 0.95
