"""Original WGAN: weight clipping, RMSprop for both players, 5 critic iterations per G step."""
# expect: T01=pass T02=na T03=pass T04=pass T05=pass T06=na T07=pass T08=absent T09=pass
# expect: T10=absent T11=pass T12=absent T13=absent T14=pass T15=absent T16=na T17=absent
# reason: T09=pass RMSprop for G is fine for a Wasserstein critic
# reason: T02=na errG = -netD(fake).mean(): a critic loss
# reason: T14=pass `for _ in range(Diters)` updates the critic 5 times per G step
import torch
import torch.nn as nn
import torchvision.datasets as dset
import torchvision.transforms as transforms

nz, Diters, clamp_lower, clamp_upper = 100, 5, -0.01, 0.01
netG = nn.Sequential(
    nn.ConvTranspose2d(nz, 256, 4, 1, 0, bias=False), nn.BatchNorm2d(256), nn.ReLU(True),
    nn.ConvTranspose2d(256, 128, 4, 2, 1, bias=False), nn.BatchNorm2d(128), nn.ReLU(True),
    nn.ConvTranspose2d(128, 3, 4, 2, 1, bias=False), nn.Tanh(),
)
netD = nn.Sequential(
    nn.Conv2d(3, 128, 4, 2, 1, bias=False), nn.LeakyReLU(0.2, inplace=True),
    nn.Conv2d(128, 256, 4, 2, 1, bias=False), nn.BatchNorm2d(256), nn.LeakyReLU(0.2, inplace=True),
    nn.Conv2d(256, 1, 4, 1, 0, bias=False),
)
dataset = dset.CIFAR10("data", download=True, transform=transforms.Compose([transforms.Resize(16), transforms.ToTensor(), transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))]))
dataloader = torch.utils.data.DataLoader(dataset, batch_size=64, shuffle=True)
optimizerD = torch.optim.RMSprop(netD.parameters(), lr=5e-5)
optimizerG = torch.optim.RMSprop(netG.parameters(), lr=5e-5)

data_iter = iter(dataloader)
for gen_iterations in range(100000):
    for _ in range(Diters):
        for p in netD.parameters():
            p.data.clamp_(clamp_lower, clamp_upper)
        try:
            real, _ = next(data_iter)
        except StopIteration:
            data_iter = iter(dataloader)
            real, _ = next(data_iter)
        fake = netG(torch.randn(real.size(0), nz, 1, 1)).detach()
        errD = netD(fake).mean() - netD(real).mean()
        netD.zero_grad()
        errD.backward()
        optimizerD.step()
    fake = netG(torch.randn(64, nz, 1, 1))
    errG = -netD(fake).mean()
    netG.zero_grad()
    errG.backward()
    optimizerG.step()
