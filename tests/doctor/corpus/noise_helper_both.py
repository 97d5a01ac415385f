"""Instance noise through a helper applied to real and fake alike, annealed per epoch."""
# expect: T01=pass T02=pass T03=pass T04=pass T05=pass T06=absent T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=pass T14=absent T15=absent T16=na T17=absent
# reason: T13=pass add_instance_noise(x, std) is applied to both D inputs; std shrinks every epoch
import torch
import torch.nn as nn
from torchvision import datasets, transforms


def add_instance_noise(x, std):
    return x + std * torch.randn_like(x)


G = nn.Sequential(nn.ConvTranspose2d(100, 64, 7, 1, 0), nn.BatchNorm2d(64), nn.ReLU(), nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Tanh())
D = nn.Sequential(nn.Conv2d(1, 64, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 4, 2, 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2), nn.Flatten(), nn.LazyLinear(1))
bce = nn.BCEWithLogitsLoss()
og, od = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999)), torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999))
loader = torch.utils.data.DataLoader(datasets.MNIST("data", download=True, transform=transforms.Compose([transforms.Resize(14), transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])), batch_size=64)
std = 0.2
for epoch in range(40):
    for x, _ in loader:
        fake = G(torch.randn(x.size(0), 100, 1, 1))
        pr = D(add_instance_noise(x, std))
        pf = D(add_instance_noise(fake.detach(), std))
        d_loss = bce(pr, torch.ones_like(pr)) + bce(pf, torch.zeros_like(pf))
        od.zero_grad()
        d_loss.backward()
        od.step()
        pg = D(add_instance_noise(fake, std))
        g_loss = bce(pg, torch.ones_like(pg))
        og.zero_grad()
        g_loss.backward()
        og.step()
    std = max(0.0, std - 0.005)
